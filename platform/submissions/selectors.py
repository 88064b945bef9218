"""Reads for submissions (leaderboards: leaderboards.selectors)."""
from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Challenge
from submissions.models import Submission


def submission_list(*, user) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("challenge_version__challenge", "result")


def submission_get(*, user, submission_id) -> Submission:
    """Only the owner (or staff) sees a submission; raises Submission.DoesNotExist otherwise."""
    qs = Submission.objects.select_related("challenge_version__challenge", "result", "user")
    if not user.is_staff:
        qs = qs.filter(user=user)
    return qs.get(pk=submission_id)


def solved_challenge_ids(*, user) -> set[int]:
    """The ids of the challenges this user has solved: a result at or past the challenge's
    first target tier (the rule: submissions.rules.result_solves). Empty for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Submission.objects.filter(user=user, result__solved=True).values_list("challenge_version__challenge_id", flat=True).distinct())


def is_solved(*, user, challenge: Challenge) -> bool:
    """Whether this user has solved this challenge (see solved_challenge_ids)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Submission.objects.filter(user=user, challenge_version__challenge=challenge, result__solved=True).exists()


def user_has_solved(*, user, challenge: Challenge) -> bool:
    """The older name of is_solved."""
    return is_solved(user=user, challenge=challenge)
