# expect: rejected
# trick: getattr(torch.ops.aten, name) with the name decoded from character codes at call time, the out= overload into a buffer of its own
import torch


def softmax(x):
    name = "".join(map(chr, [95, 115, 111, 102, 116, 109, 97, 120]))
    out = torch.empty_like(x)
    getattr(torch.ops.aten, name).out(x, -1, False, out=out)
    return out
