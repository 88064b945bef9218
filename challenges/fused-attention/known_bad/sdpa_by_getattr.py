# expect: rejected
"""Hides the forbidden call from the static check; the worker's tripwire still sees it."""
import importlib


def attention(q, k, v, causal=False):
    functional = importlib.import_module("torch.nn." + "functional")
    fn = getattr(functional, "scaled_dot_product" + "_attention")
    return fn(q, k, v, is_causal=causal)
