# expect: wrong_answer
# trick: memoise on shape: later calls (timed ones included) become dictionary look-ups
import torch

CACHE = {}


def softmax(x):
    key = tuple(x.shape)
    if key not in CACHE:
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        CACHE[key] = e / e.sum(dim=-1, keepdim=True)
    return CACHE[key]
