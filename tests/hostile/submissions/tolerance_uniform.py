# expect: wrong_answer
# trick: tolerance abuse: the uniform distribution (what a near-uniform input would give)
import torch


def softmax(x):
    return torch.full_like(x, 1.0 / x.shape[-1])
