# expect: rejected
# trick: calling the function to beat under a name built at run time (caught by the run-time tripwire)
import torch

_name = "".join(["so", "ft", "max"])


def softmax(x):
    return getattr(torch, _name)(x, dim=-1)
