"""The timed baseline: the starter's eager, op-by-op forward. Runs in its own trusted worker."""
import math

import torch

EPS = 1e-5


def layer_norm(h, gamma, beta):
    mean = h.mean(dim=-1, keepdim=True)
    centered = h - mean
    var = (centered * centered).mean(dim=-1, keepdim=True)
    inv = torch.rsqrt(var + EPS)
    return centered * inv * gamma + beta


def gelu_tanh(h):
    inner = math.sqrt(2.0 / math.pi) * (h + 0.044715 * h * h * h)
    return 0.5 * h * (1.0 + torch.tanh(inner))


def baseline(*, x, weight, bias, gamma, beta):
    for layer in range(weight.shape[0]):
        h = x @ weight[layer]
        h = h + bias[layer]
        h = layer_norm(h, gamma[layer], beta[layer])
        h = gelu_tanh(h)
        x = x + h
    return x
