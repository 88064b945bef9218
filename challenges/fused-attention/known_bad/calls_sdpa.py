# expect: rejected
"""Calls the baseline it is timed against: the static check refuses it."""
import torch.nn.functional as F


def attention(q, k, v, causal=False):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)
