# expect: rejected
# trick: the composite op's named overload torch.ops.aten.softmax.int, found through the packet's overloads() at run time
import torch

_PACKET = getattr(torch.ops.aten, "soft" + "max")
_OVERLOAD = getattr(_PACKET, _PACKET.overloads()[0])


def softmax(x):
    return _OVERLOAD(x, -1)
