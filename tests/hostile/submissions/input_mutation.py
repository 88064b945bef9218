# expect: wrong_answer
# trick: zero the input, return the (now consistent) answer for zeros
import torch


def softmax(x):
    x.zero_()
    return torch.full_like(x, 1.0 / x.shape[-1])
