# expect: accepted
# The honest twin of every file in this folder: the same work, timed honestly. Each tampering
# submission must come out no faster than this one (within the measurement's allowance).
import torch


def softmax(x):
    for _ in range(12):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        out = e / e.sum(dim=-1, keepdim=True)
    return out
