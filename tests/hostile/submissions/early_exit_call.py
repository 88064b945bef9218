# expect: runtime_error
# trick: correct once, then os._exit(0) in the middle of the tests
import os

import torch

CALLS = [0]


def softmax(x):
    CALLS[0] += 1
    if CALLS[0] > 1:
        os._exit(0)
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
