"""`rubric`: a written answer scored against the package's rubric, on the grading worker.

`written_outcome` is the one rule for what a written answer's points mean (verdict, score,
check): the grader's first result and every review the platform publishes use it.
"""
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
    for criterion in scored["criteria"]:  # candidates and reviewers read what a criterion means, not its id
        criterion["description"] = rubric.criterion(criterion["id"]).description
    scored["pass_mark"] = rubric.pass_mark
    outcome = written_outcome(scored["score"], scored["max"], pass_mark=rubric.pass_mark, pending=scored["needs_review"])
    return GradeResult(
        verdict=outcome["verdict"],
        score=outcome["score"],
        message=outcome["check"]["detail"],
        checks=[outcome["check"]],
        metrics={"rubric": scored, "speedup": None, "latency_ms": None},
    )


def written_outcome(points: float, max_points: float, *, pass_mark: float | None, pending: bool) -> dict:
    """`accepted` at or above the pass mark (a percentage of max_points), else `wrong_answer`
    with score 0 (as for any incorrect answer). While a reviewer has yet to look the verdict
    is provisional: the check is `skip` and says "awaiting review"."""
    passed = _passes(points, max_points, pass_mark)
    return {
        "verdict": verdicts.ACCEPTED if passed else verdicts.WRONG_ANSWER,
        "score": written_score(points, max_points) if passed else 0.0,
        "check": rubric_check(points, max_points, pending=pending, pass_mark=pass_mark),
    }


def written_score(points: float, max_points: float) -> float:
    """A written answer's rubric points as a percentage of the rubric's total."""
    return round(100.0 * points / max_points, 2) if max_points else 0.0


def rubric_check(points: float, max_points: float, *, pending: bool, pass_mark: float | None = None) -> dict:
    """The `rubric` check (its detail is also the result's message); `skip` while a reviewer
    has yet to look, else `pass` or `fail` against the pass mark."""
    pass_mark = _pass_mark(pass_mark)
    detail = f"{points:g} of {max_points:g} rubric points ({written_score(points, max_points):g}%; {pass_mark:g}% to pass)"
    if pending:
        return {"name": "rubric", "status": "skip", "detail": detail + " (awaiting review)"}
    return {"name": "rubric", "status": "pass" if _passes(points, max_points, pass_mark) else "fail", "detail": detail}


def _passes(points: float, max_points: float, pass_mark: float | None) -> bool:
    return written_score(points, max_points) >= _pass_mark(pass_mark) - 1e-9  # 6 of 10 is 60%, not 59.99...


def _pass_mark(pass_mark: float | None) -> float:
    from graders.rubric.format import DEFAULT_PASS_MARK  # graders.rubric loads numpy: only when needed

    return DEFAULT_PASS_MARK if pass_mark is None else float(pass_mark)
