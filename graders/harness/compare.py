"""The supervisor's own comparison code: the candidate's process never reaches it."""
from __future__ import annotations

import torch


def compare(*, out: torch.Tensor, expected: torch.Tensor, metric: str, tolerance: float) -> tuple[bool, str]:
    """(passes?, one-line reason). NaN and Inf never pass; shape must match exactly."""
    if tuple(out.shape) != tuple(expected.shape):
        return False, f"output shape {tuple(out.shape)} != expected {tuple(expected.shape)}"
    if not expected.is_floating_point() and not expected.is_complex():
        return compare_exact(out=out, expected=expected)
    got = out.detach().to("cpu", torch.float64)
    want = expected.detach().to("cpu", torch.float64)
    if not torch.isfinite(got).all():
        bad = int((~torch.isfinite(got)).sum())
        return False, f"{bad} non-finite value(s) (NaN or Inf) in the output"
    if metric == "max_abs":
        err = float((got - want).abs().max()) if got.numel() else 0.0
        label = "max abs error"
    else:
        denom = float(torch.linalg.vector_norm(want))
        num = float(torch.linalg.vector_norm(got - want))
        err = num / denom if denom > 0 else num
        label = "rel error"
    if err > tolerance:
        return False, f"{label} {err:.3g} > {tolerance:g}"
    return True, f"{label} {err:.3g} <= {tolerance:g}"


def compare_exact(*, out: torch.Tensor, expected: torch.Tensor) -> tuple[bool, str]:
    """Integer and boolean outputs: the same dtype and every value equal, no tolerance."""
    if out.dtype != expected.dtype:
        name = lambda d: str(d).removeprefix("torch.")  # noqa: E731
        return False, f"output dtype {name(out.dtype)}, expected {name(expected.dtype)} (integer outputs are compared exactly)"
    wrong = int((out.detach().to("cpu") != expected.detach().to("cpu")).sum())
    if wrong:
        return False, f"{wrong} of {expected.numel()} value(s) differ (integer outputs are compared exactly)"
    return True, "all values equal (exact)"


def unchanged(*, before: torch.Tensor, after: torch.Tensor) -> bool:
    """Bit-for-bit the same shape, dtype and values (NaN equal to NaN)."""
    a = before.detach().to("cpu")
    b = after.detach().to("cpu")
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.is_floating_point():
        return bool(torch.equal(a, b) or ((a == b) | (a.isnan() & b.isnan())).all())
    return bool(torch.equal(a, b))
