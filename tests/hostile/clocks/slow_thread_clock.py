# expect: accepted
# flag: timing_mismatch
# hides: 0.18
# trick: clock shaving within the allowance: the worker's bound in-process clock (reached through
# sys.modules) is replaced by one that runs 18% slow, so every call reports 82% of its time
import sys

import torch

_worker = next((m for m in list(sys.modules.values()) if hasattr(m, "_thread_time_ns") and hasattr(m, "Worker")), None)
if _worker is not None:
    _real = _worker._thread_time_ns
    _origin = _real()
    _worker._thread_time_ns = lambda: _origin + int((_real() - _origin) * 0.82)
    _real_pc = _worker._perf_counter_ns
    _origin_pc = _real_pc()
    _worker._perf_counter_ns = lambda: _origin_pc + int((_real_pc() - _origin_pc) * 0.82)


def softmax(x):
    for _ in range(12):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out = e / e.sum(dim=-1, keepdim=True)
    return out
