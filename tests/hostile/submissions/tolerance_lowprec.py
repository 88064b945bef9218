# expect: wrong_answer
# trick: tolerance abuse: compute in float16-ish precision (rounded mantissa)
import torch


def softmax(x):
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    out = e / e.sum(dim=-1, keepdim=True)
    return out.to(torch.bfloat16).to(x.dtype)
