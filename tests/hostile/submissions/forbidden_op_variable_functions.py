# expect: rejected
# trick: the forbidden softmax through torch._C._VariableFunctions (no Python attribute of torch is touched), its name built at run time so the static check cannot see it; the dispatcher block catches it
import torch

_NAME = "".join(["so", "ft", "max"])
_KERNEL = getattr(torch._C._VariableFunctions, _NAME)


def softmax(x):
    return _KERNEL(x, -1)
