# expect: wrong_answer
"""Uses the exact (erf) GELU, not the tanh approximation the statement asks for."""
import torch
import torch.nn.functional as F


def forward(x, weight, bias, gamma, beta):
    d = x.shape[-1]
    for layer in range(weight.shape[0]):
        h = F.layer_norm(torch.addmm(bias[layer], x, weight[layer]), (d,), gamma[layer], beta[layer], 1e-5)
        x = x + F.gelu(h)
    return x
