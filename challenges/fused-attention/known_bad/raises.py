# expect: runtime_error
"""Assumes S is a multiple of 64, as a tiled kernel without bounds masks would."""
import math

import torch


def attention(q, k, v, causal=False):
    b, h, s, d = q.shape
    if s % 64:
        raise ValueError(f"sequence length {s} is not a multiple of the tile size 64")
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    if causal:
        mask = torch.ones(s, s, dtype=torch.bool, device=q.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v
