# expect: wrong_answer
# trick: honest during the first calls (correctness), cheap garbage once it believes timing has started
import torch

CALLS = [0]


def softmax(x):
    CALLS[0] += 1
    if CALLS[0] > 8:
        return torch.full_like(x, 1.0 / x.shape[-1])
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
