# expect: wrong_answer
"""Forgets the last layer: a loop bound off by one."""
import torch
import torch.nn.functional as F


def forward(x, weight, bias, gamma, beta):
    d = x.shape[-1]
    for layer in range(weight.shape[0] - 1):
        h = F.layer_norm(torch.addmm(bias[layer], x, weight[layer]), (d,), gamma[layer], beta[layer], 1e-5)
        x = x + F.gelu(h, approximate="tanh")
    return x
