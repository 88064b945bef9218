# expect: rejected
# trick: the backend kernel itself, torch.ops.aten._softmax.default, below the composite softmax (name built at run time)
import torch

_PACKET = getattr(torch.ops.aten, "_" + "soft" + "max")


def softmax(x):
    return _PACKET.default(x, -1, False)
