"""The `correctness` grader (supervisor side), and the output checks the timing graders share."""
from __future__ import annotations

from typing import TYPE_CHECKING

import torch

from graders.harness.channel import DTYPES
from graders.harness.compare import compare, unchanged
from graders.harness.package import Case, split_tensors
from graders.harness.steps import step
from graders.harness.workers import Outcome

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

# -- correctness ------------------------------------------------------------------------------
def call_and_check(session: "Session", case: Case, dtype: str, inputs: dict, expected, *, check_inputs: bool = False) -> None:
    spec, tensors = split_tensors(inputs)
    header, outs = session.candidate.request(
        {"op": "call", "kwargs": spec, "poison_bytes": nbytes(expected, dtype), "return_inputs": check_inputs},
        tensors,
        timeout=session.call_timeout(),
        max_bytes=answer_cap(expected, dtype, 1) + (sum(t.numel() * t.element_size() for t in tensors) if check_inputs else 0),
    )
    session.check_answer(header)
    kinds = header.get("outputs") or [{}]
    n_out = sum(1 for k in kinds if k.get("type") == "tensor")
    verify_output(session, case, dtype, kinds[0], outs[0] if n_out else None, expected, inputs)
    if check_inputs:
        _verify_inputs_unchanged(session, case, dtype, inputs, outs[n_out:], header.get("inputs_after"))


def _verify_inputs_unchanged(session: "Session", case: Case, dtype: str, inputs: dict, after: list, count) -> None:
    names = [k for k, v in inputs.items() if isinstance(v, torch.Tensor)]
    if count != len(names) or len(after) != len(names):
        raise Outcome("rejected", f"{case.name} {dtype}: the worker did not return the inputs it was given")
    for name, got in zip(names, after):
        if not unchanged(before=inputs[name], after=got):
            raise Outcome("wrong_answer", f"{case.name} {dtype}: the entry point modified its input {name!r} in place")


def verify_output(session: "Session", case: Case, dtype: str, kind: dict, out, expected, inputs: dict) -> None:
    label = f"{case.name} {dtype}"
    if kind.get("type") != "tensor" or out is None:
        raise Outcome("wrong_answer", f"{label}: returned {kind.get('type')}, not a Tensor")
    if kind.get("device") != session.device.type:
        raise Outcome("wrong_answer", f"{label}: output on {kind.get('device')}, expected {session.device.type}")
    challenge = session.challenge
    tolerance = session.tolerance(dtype)
    if challenge.check_fn is not None:
        ok, detail = challenge.check_fn(out=out, expected=expected, inputs=inputs, dtype=dtype, tolerance=tolerance)
    else:
        if out.dtype != DTYPES[dtype]:
            raise Outcome("wrong_answer", f"{label}: output dtype {str(out.dtype).removeprefix('torch.')}, expected {dtype}")
        ok, detail = compare(out=out, expected=expected, metric=session.metric(), tolerance=tolerance)
    if not ok:
        raise Outcome("wrong_answer", f"{label}: {detail}")


@step("correctness")
def correctness(session: "Session") -> None:
    checked = 0
    cases = session.challenge.cases()
    for case_index, case in enumerate(cases):
        for dtype in session.dtypes():
            inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(case_index, dtype, 0))
            expected = session.challenge.expected(inputs)
            call_and_check(session, case, dtype, inputs, expected, check_inputs=True)
            checked += 1
    hidden = sum(1 for c in cases if c.hidden)
    session.add_check(
        "correctness", "pass",
        f"{checked} case(s) ({hidden} hidden) across {len(session.dtypes())} dtype(s) within tolerance; inputs unchanged",
    )


def nbytes(expected, dtype: str) -> int:
    if not isinstance(expected, torch.Tensor):
        return 0
    return expected.numel() * torch.empty((), dtype=DTYPES[dtype]).element_size()


def answer_cap(expected, dtype: str, count: int) -> int:
    """What an honest answer can weigh: the expected output's size in any dtype, times count."""
    if not isinstance(expected, torch.Tensor):
        return 64 << 20
    return count * (expected.numel() * 8 + 4096) + (1 << 20)
