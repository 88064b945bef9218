"""`trace_answers`: structured answers about the package's profiler trace, checked against the
trace itself (no sandbox: nothing of the candidate's is executed)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from graders import verdicts
from graders.result import GradeResult

if TYPE_CHECKING:
    from graders.pipeline import GradeJob
    from graders.spec import ChallengeSpec


def grade(*, job: GradeJob, spec: ChallengeSpec) -> GradeResult:
    from graders.trace_answers import AnswerSyntaxError, grade_answers

    answer = job.files.get(spec.entry_file)
    if answer is None:
        return _failed(verdicts.WRONG_ANSWER, f"{spec.entry_file} was not submitted")
    try:
        graded = grade_answers(spec.root, spec.harness.get("questions", "tests/questions.toml"), answer)
    except AnswerSyntaxError as exc:
        return _failed(verdicts.COMPILE_ERROR, f"{spec.entry_file}: {exc}")  # the parser's message names the line
    wrong = [q["id"] for q in graded["questions"] if q["points"] < q["max"]]
    detail = f"{graded['score']:g} of {graded['max']:g} points ({graded['percent']:g}%, {graded['pass_percent']:g}% to pass)"
    if wrong:
        detail += f"; not matching the trace: {', '.join(wrong)}"
    return GradeResult(
        verdict=verdicts.ACCEPTED if graded["passed"] else verdicts.WRONG_ANSWER,
        score=graded["percent"] if graded["passed"] else 0.0,
        message=detail,
        checks=[{"name": "trace_answers", "status": "pass" if graded["passed"] else "fail", "detail": detail}],
        metrics={"trace_answers": graded["questions"], "speedup": None, "latency_ms": None},
    )


def _failed(verdict: str, message: str) -> GradeResult:
    return GradeResult(verdict=verdict, message=message, checks=[{"name": "trace_answers", "status": "fail", "detail": message}])
