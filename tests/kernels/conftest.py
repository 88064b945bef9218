"""Shared helpers for the attention kernel tests: a float64 reference and the metric.

They are fixtures (not an importable helper module) so they work whatever import mode
pytest runs in.

On a machine without CUDA, Triton kernels can only run under its interpreter, and
Triton decides that when it is first imported (its own ``tl.zeros`` & co. are
decorated then). So, where there is no GPU and Triton is not yet imported, this
conftest sets ``TRITON_INTERPRET=1`` before anything here imports it. On a GPU host
nothing is changed and the Triton tests run on the device.
"""

from __future__ import annotations

import math
import os
import sys

import pytest
import torch

if "triton" not in sys.modules and not torch.cuda.is_available():
    os.environ.setdefault("TRITON_INTERPRET", "1")


def _reference_attention(q, k, v, causal=False):
    """softmax(q k^T / sqrt(D)) v in float64 on the CPU: the ground truth."""
    q, k, v = (t.detach().to("cpu", torch.float64) for t in (q, k, v))
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if causal:
        S = q.shape[-2]
        allowed = torch.ones(S, S, dtype=torch.bool).tril()
        scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def _rel_l2(out, ref):
    """Relative L2 error ||out - ref|| / ||ref||.

    Any NaN or infinity in ``out`` gives ``inf``: a NaN must never slip through a
    ``<`` comparison (NaN < tol is False, but NaN-safe code should not depend on it).
    """
    out = out.detach().to("cpu", torch.float64)
    if out.shape != ref.shape:
        raise AssertionError(f"shape {tuple(out.shape)} != reference {tuple(ref.shape)}")
    if not torch.isfinite(out).all():
        return math.inf
    denom = ref.norm().item()
    diff = (out - ref).norm().item()
    return diff / denom if denom > 0 else diff


@pytest.fixture
def reference_attention():
    return _reference_attention


@pytest.fixture
def rel_l2():
    return _rel_l2
