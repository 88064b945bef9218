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
    check = rubric_check(scored["score"], scored["max"], pending=scored["needs_review"])
    return GradeResult(
        verdict=verdicts.ACCEPTED,
        score=written_score(scored["score"], scored["max"]),
        message=check["detail"],
        checks=[check],
        metrics={"rubric": scored, "speedup": None, "latency_ms": None},
    )


def written_score(points: float, max_points: float) -> float:
    """The score a candidate sees for a written answer: its rubric points as a percentage.
    The grader's first score and every published review use this one formula."""
    return round(100.0 * points / max_points, 2) if max_points else 0.0


def rubric_check(points: float, max_points: float, *, pending: bool) -> dict:
    """The `rubric` check (its detail is also the result's message); `skip` while a reviewer
    has yet to look."""
    detail = f"{points:g} of {max_points:g} rubric points" + (" (awaiting review)" if pending else "")
    return {"name": "rubric", "status": "skip" if pending else "pass", "detail": detail}
