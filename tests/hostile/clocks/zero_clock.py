# expect: accepted
# flag: timing_mismatch
# trick: timer patching: every clock the worker could read (time.*, the harness's bound copies)
# reports almost nothing, so the in-process figure claims an enormous speedup
import sys
import time

import torch

_state = {"t": 0}


def _fake():
    _state["t"] += 50
    return _state["t"]


for name in ("perf_counter_ns", "thread_time_ns", "monotonic_ns", "process_time_ns"):
    setattr(time, name, _fake)
_worker = next((m for m in list(sys.modules.values()) if hasattr(m, "_thread_time_ns") and hasattr(m, "Worker")), None)
if _worker is not None:
    _worker._thread_time_ns = _fake
    _worker._perf_counter_ns = _fake


def softmax(x):
    for _ in range(12):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out = e / e.sum(dim=-1, keepdim=True)
    return out
