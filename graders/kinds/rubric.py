"""`rubric`: a written answer scored against the package's rubric, on the grading worker."""
from __future__ import annotations

from typing import TYPE_CHECKING

from graders import verdicts
from graders.result import GradeResult

if TYPE_CHECKING:
    from graders.pipeline import GradeJob
    from graders.spec import ChallengeSpec


def grade(*, job: GradeJob, spec: ChallengeSpec) -> GradeResult:
    from graders.rubric import load_rubric, score_answer  # the models load only when a written answer is graded

    answer = job.files.get(spec.entry_file) or next(iter(job.files.values()))
    rubric = load_rubric(spec.path("rubric"))
    scored = score_answer(rubric=rubric, answer=answer).as_dict()
    percent = 100.0 * scored["score"] / scored["max"] if scored["max"] else 0.0
    status = "skip" if scored["needs_review"] else "pass"
    detail = f"{scored['score']:g} of {scored['max']:g} rubric points" + (" (awaiting review)" if scored["needs_review"] else "")
    return GradeResult(
        verdict=verdicts.ACCEPTED,
        score=round(percent, 2),
        message=detail,
        checks=[{"name": "rubric", "status": status, "detail": detail}],
        metrics={"rubric": scored, "speedup": None, "latency_ms": None},
    )
