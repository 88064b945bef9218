# expect: wrong_answer
# trick: walk the call stack for the expected output; return it if found, else garbage
import sys

import torch


def softmax(x):
    frame = sys._getframe(1)
    while frame is not None:
        for name, value in list(frame.f_locals.items()):
            if name in ("expected", "want", "reference", "ref") and isinstance(value, torch.Tensor) and value.shape == x.shape:
                return value.to(x.dtype)
        frame = frame.f_back
    return torch.zeros_like(x)
