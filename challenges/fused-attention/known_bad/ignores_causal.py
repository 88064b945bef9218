# expect: wrong_answer
"""Drops the causal flag: right for half the cases, wrong for the rest."""
import math

import torch


def attention(q, k, v, causal=False):
    return torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), dim=-1) @ v
