"""The `degeneracy` check (supervisor side, validation only): is the package able to tell a
right answer from a wrong one at all? (ANTI_CHEAT.md, "degenerate problems".)

A package is degenerate when its reference output is constant or nearly so, when two
independent input draws give outputs that pass for each other (the output does not depend on
the inputs), or when a slightly wrong answer -- the expected output x1.01 (+1 for integer
outputs) or all zeros -- passes the package's own check. Each candidate answer is judged by
`output_checks.verify_output`, the very code that judges a submission. It records a check and
never changes the verdict: `graders.validate` and the importers read it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from graders.harness.outcome import Outcome
from graders.harness.output_checks import verify_output
from graders.harness.shared.channel import DTYPES
from graders.harness.steps import step

if TYPE_CHECKING:
    from graders.harness.package import Case
    from graders.harness.supervisor import Session

CASES_CHECKED = 2
NEAR_CONSTANT = 1e-4  # relative spread of the output below which it is "near-constant"
ROUNDING = 1e-5  # an output this small next to the inputs is zero up to rounding
PASSING = "not degenerate: the output depends on its inputs; x1.01 and all-zeros answers fail"


@step("degeneracy")
def degeneracy(session: "Session") -> None:
    reasons: list[str] = []
    dtype = session.dtypes()[0]
    for index, case in enumerate(session.challenge.cases()[:CASES_CHECKED]):
        for reason in case_reasons(session, case=case, dtype=dtype, index=index):
            if reason not in reasons:
                reasons.append(reason)
    if reasons:
        session.add_check("degeneracy", "fail", "degenerate: " + "; ".join(reasons))
    else:
        session.add_check("degeneracy", "pass", PASSING)


def case_reasons(session: "Session", *, case: "Case", dtype: str, index: int) -> list[str]:
    draws = []
    for draw in (1, 2):
        inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for("degeneracy", index, draw))
        draws.append((inputs, session.challenge.expected(inputs)))
    (inputs, expected), (_, other) = draws
    if not isinstance(expected, torch.Tensor) or not isinstance(other, torch.Tensor):
        return []
    reasons = spread_reasons(expected) or rounding_reasons(expected, inputs)
    if tuple(other.shape) == tuple(expected.shape) and passes(session, case, dtype, answer=other, expected=expected, inputs=inputs):
        reasons.append("the reference's output does not depend on its inputs (two input draws pass for each other)")
    if passes(session, case, dtype, answer=perturbed(expected), expected=expected, inputs=inputs):
        reasons.append("a slightly wrong answer (x1.01, or +1 for integers) passes")
    if passes(session, case, dtype, answer=torch.zeros_like(expected), expected=expected, inputs=inputs):
        reasons.append("an all-zeros answer passes")
    return reasons


def spread_reasons(expected: torch.Tensor) -> list[str]:
    if expected.numel() < 2:
        return []
    values = expected.detach().to("cpu", torch.float64)
    spread = float(values.max() - values.min()) if torch.isfinite(values).all() else float("inf")
    if spread == 0.0:
        return [f"the reference's output is constant ({float(values.reshape(-1)[0]):g} everywhere)"]
    scale = float(values.abs().max())
    if spread <= NEAR_CONSTANT * scale:
        return [f"the reference's output is near-constant (spread {spread:.3g} around {scale:.3g})"]
    return []


def rounding_reasons(expected: torch.Tensor, inputs: dict) -> list[str]:
    """An output that is zero up to rounding: its largest value is a rounding error next to the inputs'."""
    if not expected.is_floating_point() or expected.numel() == 0:
        return []
    scale = max((float(v.detach().abs().max()) for v in inputs.values() if isinstance(v, torch.Tensor) and v.is_floating_point() and v.numel()), default=0.0)
    largest = float(expected.detach().abs().max())
    if scale > 0 and largest <= ROUNDING * scale:
        return [f"the reference's output is zero up to rounding (largest {largest:.3g}, inputs up to {scale:.3g})"]
    return []


def perturbed(expected: torch.Tensor) -> torch.Tensor:
    if expected.is_floating_point():
        return expected * 1.01
    if expected.dtype == torch.bool:
        return ~expected
    return expected + 1


def passes(session: "Session", case: "Case", dtype: str, *, answer: torch.Tensor, expected: torch.Tensor, inputs: dict) -> bool:
    """Would `answer` pass as the candidate's output? Judged by the submissions' own check."""
    as_sent = answer.to(device=session.device, dtype=DTYPES[dtype] if expected.is_floating_point() else expected.dtype)
    kind = {"type": "tensor", "device": session.device.type}
    try:
        verify_output(session, case, dtype, kind, as_sent, expected, inputs)
    except Outcome:
        return False
    except Exception:  # noqa: BLE001 - a package check that crashes on a wrong answer does not pass it
        return False
    return True
