# expect: wrong_answer
"""Writes every result into one cached buffer, as a careless CUDA-graph port does.

Each single call is right, so it passes the correctness step; in a timed batch all
outputs alias the same memory and hold the last call's result.
"""
import torch
import torch.nn.functional as F

_OUT = {}


def forward(x, weight, bias, gamma, beta):
    key = (tuple(x.shape), x.dtype, x.device)
    out = _OUT.get(key)
    if out is None:
        out = _OUT[key] = torch.empty_like(x)
    out.copy_(x)
    d = x.shape[-1]
    for layer in range(weight.shape[0]):
        h = F.layer_norm(torch.addmm(bias[layer], out, weight[layer]), (d,), gamma[layer], beta[layer], 1e-5)
        out.add_(F.gelu(h, approximate="tanh"))
    return out
