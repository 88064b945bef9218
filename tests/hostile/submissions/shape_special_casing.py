# expect: wrong_answer
# trick: correct only at the published shapes
import torch

PUBLIC = {(64, 256)}


def softmax(x):
    if tuple(x.shape) not in PUBLIC:
        return torch.zeros_like(x)
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
