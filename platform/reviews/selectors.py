"""Reads for written-answer reviews."""

from __future__ import annotations

from django.db.models import QuerySet

from reviews.models import CriterionMark, WrittenReview


def review_queue(*, slug: str | None = None) -> QuerySet[WrittenReview]:
    """Reviews awaiting a reviewer, the least certain first."""
    reviews = WrittenReview.objects.filter(status=WrittenReview.Status.PENDING)
    if slug:
        reviews = reviews.filter(submission__challenge_version__challenge__slug=slug)
    return (reviews.select_related("submission__challenge_version__challenge", "submission__user")
            .order_by("-uncertainty", "created_at"))


def review_get(*, review_id: int) -> WrittenReview:
    return (WrittenReview.objects.select_related("submission__challenge_version__challenge", "submission__user")
            .prefetch_related("marks__overrides__reviewer").get(pk=review_id))


def answer_text(*, review: WrittenReview) -> str:
    """The written answer as the grader read it: the entry file, else the first file."""
    submission = review.submission
    files = submission.files or {}
    return files.get(submission.challenge_version.entry_file) or next(iter(files.values()), "")


def override_training_labels(*, slug: str | None = None) -> list[dict]:
    """Human-checked marks in the graders/rubric/data JSONL shape, ready to be used as training labels.

    Only reviews a person has looked at count: signed off, or with at least one override.
    """
    reviewed = WrittenReview.objects.filter(status=WrittenReview.Status.REVIEWED)
    overridden = WrittenReview.objects.filter(marks__overrides__isnull=False)
    reviews = (reviewed | overridden).distinct()
    if slug:
        reviews = reviews.filter(submission__challenge_version__challenge__slug=slug)
    rows = []
    for review in reviews.select_related("submission__challenge_version__challenge").prefetch_related("marks"):
        marks: list[CriterionMark] = list(review.marks.all())
        rows.append({
            "id": f"review-{review.pk}", "challenge": review.submission.challenge_version.challenge.slug,
            "split": "train", "answer": answer_text(review=review),
            "scores": {m.criterion_id: m.final_points for m in marks}, "rater": "reviewer",
        })
    return rows
