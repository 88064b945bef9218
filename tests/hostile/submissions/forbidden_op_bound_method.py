# expect: rejected
# trick: Tensor.softmax as a bound method found at run time by scanning dir(x), nested-tensor and vmap paths tried first (all reach the dispatcher)
import torch


def _find(obj):
    for name in dir(obj):
        if name.endswith("max") and name.startswith("soft"):
            return getattr(obj, name)
    raise AttributeError


def softmax(x):
    try:
        return torch.vmap(lambda row: _find(row)(-1))(x)
    except RuntimeError:
        pass
    return _find(x)(-1)
