# expect: wrong_answer
# trick: a correct answer with one NaN (NaN must never pass a norm-based tolerance)
import torch


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    out = e / e.sum(dim=-1, keepdim=True)
    out.view(-1)[0] = float("nan")
    return out
