"""The API's reads that no other app offers as such."""
from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Challenge
from submissions.models import Submission
from submissions.selectors import submission_list


def history_for(*, user, challenge: Challenge) -> QuerySet[Submission]:
    """Every attempt of `user` at `challenge`, newest first."""
    return submission_list(user=user).filter(challenge_version__challenge=challenge).order_by("-created_at")


def solved_ids_for(*, user) -> set[int] | None:
    """The ids of the challenges `user` solved; None for an anonymous caller (no marker shown)."""
    if not user.is_authenticated:
        return None
    try:
        from submissions.selectors import solved_challenge_ids
    except ImportError:  # the practice selector not there yet: nothing is marked solved
        return set()
    return set(solved_challenge_ids(user=user))
