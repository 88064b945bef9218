# expect: wrong_answer
# trick: deferred work through the harness: the call returns an empty tensor at once and the
# worker's output serialiser (patched through sys.modules) sends the real answer while it copies
# the bytes out, after the in-process clock has stopped. The work would be inside the outside
# clocks anyway; and the tensor the call returned never held the answer, which the second look
# at every output after its batch shows.
import sys

import torch

_worker = next((m for m in list(sys.modules.values()) if hasattr(m, "_thread_time_ns") and hasattr(m, "Worker")), None)
_pending = {}


def _compute(x):
    for _ in range(12):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out = e / e.sum(dim=-1, keepdim=True)
    return out


if _worker is not None:
    _host_bytes = _worker.host_bytes

    def _late(value):
        source = _pending.pop(id(value), None)
        return _host_bytes(_compute(source) if source is not None else value)

    _worker.host_bytes = _late


def softmax(x):
    if _worker is None:
        return _compute(x)
    out = torch.empty_like(x)
    _pending[id(out)] = x
    return out
