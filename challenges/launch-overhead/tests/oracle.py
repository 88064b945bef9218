"""The expected output in float64, written out from the statement's definition."""
import math

import torch

EPS = 1e-5


def expected(*, x, weight, bias, gamma, beta):
    x, weight, bias, gamma, beta = (t.to(torch.float64) for t in (x, weight, bias, gamma, beta))
    for layer in range(weight.shape[0]):
        h = x @ weight[layer] + bias[layer]
        mean = h.mean(dim=-1, keepdim=True)
        var = h.var(dim=-1, unbiased=False, keepdim=True)
        h = (h - mean) / torch.sqrt(var + EPS) * gamma[layer] + beta[layer]
        h = 0.5 * h * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (h + 0.044715 * h**3)))
        x = x + h
    return x
