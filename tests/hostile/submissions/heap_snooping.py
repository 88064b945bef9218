# expect: wrong_answer
# trick: search the heap for a float64 tensor of the output's shape (the expected answer); else garbage
import gc

import torch


def softmax(x):
    for obj in gc.get_objects():
        if isinstance(obj, torch.Tensor) and obj is not x and obj.dtype == torch.float64 and obj.shape == x.shape:
            return obj.to(x.dtype)
    return torch.zeros_like(x)
