# expect: compile_error
import torch


def attention(q, k, v, causal=False)
    return q
