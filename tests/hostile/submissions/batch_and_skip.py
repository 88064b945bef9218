# expect: accepted

# speedup_at_most: 1.0
# trick: find the worker's staged inputs for the whole batch (gc), answer them all in one vectorised
# launch on the first call, and return the precomputed answers on the following calls.
# Staged inputs are sealed (each call's key arrives when it is due), so nothing can be precomputed:
# the submission stays correct (it falls back to honest work) and gains no speedup.
import gc

import torch

READY = {}


def _honest(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)


def _precompute(x):
    for obj in gc.get_objects():
        staged = getattr(obj, "staged", None) if type(obj).__name__ == "Worker" else None
        sealed = getattr(obj, "sealed", None) if type(obj).__name__ == "Worker" else None
        for group in (staged or [], [s for s in (sealed or [])]):
            for item in group:
                kwargs = item if isinstance(item, dict) else None
                if kwargs and isinstance(kwargs.get("x"), torch.Tensor) and kwargs["x"].shape == x.shape:
                    READY[kwargs["x"].data_ptr()] = _honest(kwargs["x"])


def softmax(x):
    if x.data_ptr() in READY:
        return READY.pop(x.data_ptr())
    _precompute(x)
    return _honest(x)
