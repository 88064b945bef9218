"""Writes for written-answer reviews: record the grader's marks, override, sign off."""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from graders.kinds.rubric import written_outcome
from reviews.models import CriterionMark, CriterionOverride, WrittenReview
from submissions.models import Result, Submission
from submissions.rules import result_solves

POINT_STEP = 0.5  # reviewers mark on the rubric's half-point grid

# Who else may review a given written answer: functions (user, review) -> bool registered by other
# apps (assessments: an organisation's reviewers, for its own candidates). Staff always may.
_REVIEW_PERMISSIONS: list = []


def register_review_permission(check) -> None:
    """Add a rule (user, review) -> bool; registering the same function twice is a no-op."""
    if not callable(check):
        raise TypeError("a review permission is a function (user, review) -> bool")
    if check not in _REVIEW_PERMISSIONS:
        _REVIEW_PERMISSIONS.append(check)


@transaction.atomic
def written_review_record(*, submission: Submission, regrade: bool = False) -> WrittenReview | None:
    """Store the grader's per-criterion marks from the submission's result.

    An existing review wins (a reviewer may already have worked on it) unless `regrade`
    says the result was graded again. Returns None when the result holds no rubric score.
    """
    result = Result.objects.filter(submission=submission).first()
    scored = (result.metrics or {}).get("rubric") if result else None
    if not isinstance(scored, dict) or "criteria" not in scored:
        return None
    existing = WrittenReview.objects.select_for_update().filter(submission=submission).first()
    if existing and not regrade:
        return existing
    if existing:
        existing.delete()
    review = _create_review(submission, scored)
    _publish(review)
    return review


def _create_review(submission: Submission, scored: dict) -> WrittenReview:
    confidences = [float(c.get("confidence", 1.0)) for c in scored["criteria"]]
    review = WrittenReview.objects.create(
        submission=submission, rubric_max=float(scored["max"]), grader_score=float(scored["score"]),
        final_score=float(scored["score"]), uncertainty=round(1.0 - min(confidences, default=1.0), 4),
        status=WrittenReview.Status.PENDING if scored.get("needs_review") else WrittenReview.Status.AUTO,
        flags=list(scored.get("flags", [])),
    )
    CriterionMark.objects.bulk_create([_mark(review, position, c) for position, c in enumerate(scored["criteria"])])
    return review


def _mark(review: WrittenReview, position: int, criterion: dict) -> CriterionMark:
    misconception = criterion.get("kind") == "misconception"
    points = float(criterion["points"])
    return CriterionMark(
        review=review, position=position, criterion_id=criterion["id"],
        kind=CriterionMark.Kind.MISCONCEPTION if misconception else CriterionMark.Kind.CRITERION,
        max_points=0.0 if misconception else float(criterion["max"]),
        min_points=float(criterion.get("min", -1.0)) if misconception else 0.0,
        grader_points=points, confidence=float(criterion.get("confidence", 1.0)),
        evidence=criterion.get("evidence") or "", final_points=points, description=criterion.get("description") or "",
    )


@transaction.atomic
def criterion_override(*, mark: CriterionMark, reviewer, points: float, reason: str) -> CriterionOverride:
    """Set one criterion's points, with the reviewer's reason; the candidate's score follows."""
    _require_reviewer(reviewer, review_id=mark.review_id)
    mark = CriterionMark.objects.select_for_update().select_related("review").get(pk=mark.pk)
    _check_points(mark, points)
    if not (reason or "").strip():
        raise ValidationError("Give a reason for the override.")
    override = CriterionOverride.objects.create(mark=mark, reviewer=reviewer, previous_points=mark.final_points,
                                                points=float(points), reason=reason.strip())
    mark.final_points = float(points)
    mark.save(update_fields=["final_points"])
    review = mark.review
    review.final_score = _total(review)
    review.save(update_fields=["final_score"])
    _publish(review)
    return override


@transaction.atomic
def review_complete(*, review: WrittenReview, reviewer) -> WrittenReview:
    """Sign the review off: it leaves the queue and the score shown is final."""
    _require_reviewer(reviewer, review_id=review.pk)
    review = WrittenReview.objects.select_for_update().get(pk=review.pk)
    review.status = WrittenReview.Status.REVIEWED
    review.reviewed_by = reviewer
    review.reviewed_at = timezone.now()
    review.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    _publish(review)
    return review


def _require_reviewer(user, *, review_id: int | None = None) -> None:
    if getattr(user, "is_authenticated", False) and (user.is_staff or user.has_perm("reviews.add_criterionoverride")):
        return
    if getattr(user, "is_authenticated", False) and review_id is not None and _REVIEW_PERMISSIONS:
        review = WrittenReview.objects.select_related("submission").get(pk=review_id)
        if any(check(user, review) for check in _REVIEW_PERMISSIONS):
            return
    raise PermissionDenied("Only reviewers can change written-answer scores.")


def _check_points(mark: CriterionMark, points: float) -> None:
    if not isinstance(points, (int, float)) or not math.isfinite(points):
        raise ValidationError("Points must be a number.")
    if not mark.min_points <= points <= mark.max_points:
        raise ValidationError(f"{mark.criterion_id} takes points from {mark.min_points:g} to {mark.max_points:g}.")
    if not math.isclose(points / POINT_STEP, round(points / POINT_STEP)):
        raise ValidationError(f"Points go in steps of {POINT_STEP:g}.")


def _total(review: WrittenReview) -> float:
    earned = sum(m.final_points for m in review.marks.all())
    return min(max(earned, 0.0), review.rubric_max)


def _publish(review: WrittenReview) -> None:
    """Mirror the review into the submission's Result, which is what the candidate sees:
    points, verdict and score through the grader's own rule (graders.kinds.rubric.written_outcome)."""
    result = Result.objects.select_for_update().filter(submission_id=review.submission_id).first()
    if result is None:
        return
    marks = {m.criterion_id: m for m in review.marks.prefetch_related("overrides")}
    rubric = dict(result.metrics.get("rubric") or {})
    rubric["criteria"] = [_published_criterion(c, marks.get(c["id"])) for c in rubric.get("criteria", [])]
    pending = review.status == WrittenReview.Status.PENDING
    rubric.update(score=review.final_score, needs_review=pending, grader_score=review.grader_score,
                  reviewed=review.status == WrittenReview.Status.REVIEWED)
    outcome = written_outcome(review.final_score, review.rubric_max, pass_mark=rubric.get("pass_mark"), pending=pending)
    result.metrics = {**result.metrics, "rubric": rubric}
    result.verdict = outcome["verdict"]
    result.score = outcome["score"]
    result.message = outcome["check"]["detail"]
    result.checks = [_published_check(check, outcome["check"]) for check in result.checks or []]
    result.solved = result_solves(verdict=result.verdict, metrics=result.metrics)
    result.save(update_fields=["metrics", "verdict", "score", "message", "checks", "solved"])


def _published_criterion(criterion: dict, mark: CriterionMark | None) -> dict:
    """The criterion as the candidate sees it: the final points and, once a reviewer changed
    them, the grader's points and the reviewer's latest reason."""
    if mark is None:
        return criterion
    published = {k: v for k, v in criterion.items() if k not in ("grader_points", "overridden", "override_reason")}
    if mark.description and not published.get("description"):
        published["description"] = mark.description
    latest = next(iter(mark.overrides.all()), None)  # newest first (CriterionOverride.Meta.ordering)
    if latest is None:
        return published
    return {**published, "points": mark.final_points, "grader_points": mark.grader_points,
            "overridden": mark.is_overridden, "override_reason": latest.reason}


def _published_check(check: dict, published: dict) -> dict:
    if check.get("name") != "rubric":
        return check
    return {**check, "status": published["status"], "detail": published["detail"]}
