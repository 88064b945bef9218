# expect: accepted
# flag: timing_mismatch
# speedup_at_most: 1.0
# trick: replace the timers (time.perf_counter_ns and the harness's bound copy) with ones that
# report almost nothing, so the in-process figures claim a huge speedup
import sys
import time

import torch

_real = time.perf_counter_ns
_state = {"last": _real()}


def _fake():
    _state["last"] += 50  # 50 ns between any two readings
    return _state["last"]


time.perf_counter_ns = _fake
time.thread_time_ns = _fake
for module in list(sys.modules.values()):
    for name in ("_perf_counter_ns", "_thread_time_ns"):  # the harness's bound copies, wherever it runs
        if hasattr(module, name) and hasattr(module, "Worker"):
            setattr(module, name, _fake)


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    out = e / e.sum(dim=-1, keepdim=True)
    for _ in range(3):  # make each call slow enough for the wall clock to see
        out = (out * 1.0).contiguous()
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return out
