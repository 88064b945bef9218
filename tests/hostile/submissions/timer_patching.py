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
for name in ("__main__", "graders.harness.worker"):
    module = sys.modules.get(name)
    if module is not None and hasattr(module, "_perf_counter_ns"):
        module._perf_counter_ns = _fake


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    out = e / e.sum(dim=-1, keepdim=True)
    for _ in range(3):  # make each call slow enough for the wall clock to see
        out = (out * 1.0).contiguous()
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return out
