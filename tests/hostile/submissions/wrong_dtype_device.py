# expect: wrong_answer
# trick: return float64 (more precise, but not what was asked)
import torch


def softmax(x):
    x = x.double()
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
