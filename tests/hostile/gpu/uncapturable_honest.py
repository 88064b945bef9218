# expect: accepted
# mode: eager
# An honest kernel that synchronises with the host (.item()) cannot be captured in a CUDA graph:
# the harness falls back to eager timing for both sides instead of failing it.
import torch


def softmax(x):
    if float(x.abs().max().item()) == float("inf"):
        raise ValueError("inf input")
    e = torch.exp(x - x.amax(dim=-1, keepdim=True))
    return e / e.sum(dim=-1, keepdim=True)
