"""Output checks every sandbox step shares (supervisor side): one verified call, an output
against the expected value, and the byte budgets of an honest answer.

The correctness, latency, throughput and memory steps all check the candidate's outputs here,
so a tensor passes or fails the same way whichever step received it. Trusted: it compares with
the supervisor's own code (compare.py) against expected values the worker never sees.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from graders import verdicts
from graders.harness.compare import compare, unchanged
from graders.harness.outcome import Outcome
from graders.harness.package import Case, split_tensors
from graders.harness.shared.channel import DTYPES

if TYPE_CHECKING:
    from graders.harness.supervisor import Session


def call_and_check(session: "Session", case: Case, dtype: str, inputs: dict, expected, *, check_inputs: bool = False) -> None:
    """One `call` of the candidate's entry point, its output verified (and, with `check_inputs`,
    the inputs as the call left them compared with the supervisor's copy)."""
    spec, tensors = split_tensors(inputs)
    header, outs = session.answer(  # timed as the candidate's phase, the reply checked
        session.candidate,
        {"op": "call", "kwargs": spec, "poison_bytes": nbytes(expected, dtype), "return_inputs": check_inputs},
        tensors,
        timeout=session.call_timeout(),
        max_bytes=answer_cap(expected, dtype, 1) + (sum(t.numel() * t.element_size() for t in tensors) if check_inputs else 0),
    )
    kinds = header.get("outputs") or [{}]
    n_out = sum(1 for k in kinds if k.get("type") == "tensor")
    verify_output(session, case, dtype, kinds[0], outs[0] if n_out else None, expected, inputs)
    if check_inputs:
        _verify_inputs_unchanged(session, case, dtype, inputs, outs[n_out:], header.get("inputs_after"))


def _verify_inputs_unchanged(session: "Session", case: Case, dtype: str, inputs: dict, after: list, count) -> None:
    names = [k for k, v in inputs.items() if isinstance(v, torch.Tensor)]
    if count != len(names) or len(after) != len(names):
        raise Outcome(verdicts.REJECTED, f"{case.name} {dtype}: the worker did not return the inputs it was given")
    for name, got in zip(names, after):
        if not unchanged(before=inputs[name], after=got):
            raise Outcome(verdicts.WRONG_ANSWER, f"{case.name} {dtype}: the entry point modified its input {name!r} in place")


def verify_output(session: "Session", case: Case, dtype: str, kind: dict, out, expected, inputs: dict) -> None:
    """A wrong answer unless `out` is a tensor on the session's device, of the dtype graded,
    within tolerance of `expected` (or passing the package's own check)."""
    label = f"{case.name} {dtype}"
    if kind.get("type") != "tensor" or out is None:
        raise Outcome(verdicts.WRONG_ANSWER, f"{label}: returned {kind.get('type')}, not a Tensor")
    if kind.get("device") != session.device.type:
        raise Outcome(verdicts.WRONG_ANSWER, f"{label}: output on {kind.get('device')}, expected {session.device.type}")
    challenge = session.challenge
    tolerance = session.tolerance(dtype)
    if challenge.check_fn is not None:
        ok, detail = challenge.check_fn(out=out, expected=expected, inputs=inputs, dtype=dtype, tolerance=tolerance)
    else:
        if out.dtype != DTYPES[dtype] and _floating(expected):
            raise Outcome(verdicts.WRONG_ANSWER, f"{label}: output dtype {str(out.dtype).removeprefix('torch.')}, expected {dtype}")
        ok, detail = compare(out=out, expected=expected, metric=session.metric(), tolerance=tolerance)
    if not ok:
        raise Outcome(verdicts.WRONG_ANSWER, f"{label}: {detail}")


def _floating(expected) -> bool:
    """Integer outputs keep their own dtype (compared exactly); floating ones are in the graded dtype."""
    return not isinstance(expected, torch.Tensor) or expected.is_floating_point()


def nbytes(expected, dtype: str) -> int:
    """The expected output's size in the graded dtype: how much memory to poison before a call."""
    if not isinstance(expected, torch.Tensor):
        return 0
    return expected.numel() * torch.empty((), dtype=DTYPES[dtype]).element_size()


def answer_cap(expected, dtype: str, count: int) -> int:
    """What an honest answer can weigh: the expected output's size in any dtype, times count."""
    if not isinstance(expected, torch.Tensor):
        return 64 << 20
    return count * (expected.numel() * 8 + 4096) + (1 << 20)
