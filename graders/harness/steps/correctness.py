"""The `correctness` grader (supervisor side): every case, in every graded dtype, called once
with fresh inputs from the secret seed; each output checked against the reference's fp64
oracle and each input checked unchanged (output_checks.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from graders.harness.output_checks import call_and_check
from graders.harness.steps import step

if TYPE_CHECKING:
    from graders.harness.supervisor import Session


@step("correctness")
def correctness(session: "Session") -> None:
    checked = 0
    cases = session.challenge.cases()
    total = len(cases) * len(session.dtypes())
    for case_index, case in enumerate(cases):
        for dtype in session.dtypes():
            session.progress("correctness", case_step=checked + 1, case_of=total, case=f"{case.name} {dtype}")
            inputs = session.challenge.inputs(case, dtype=dtype, device=session.device, seed=session.seed_for(case_index, dtype, 0))
            expected = session.challenge.expected(inputs)
            call_and_check(session, case, dtype, inputs, expected, check_inputs=True)
            checked += 1
    hidden = sum(1 for c in cases if c.hidden)
    session.add_check(
        "correctness", "pass",
        f"{checked} case(s) ({hidden} hidden) across {len(session.dtypes())} dtype(s) within tolerance; inputs unchanged",
    )
