"""The API's reads that no other app offers as such."""
from __future__ import annotations

from submissions.selectors import solved_challenge_ids


def solved_ids_for(*, user) -> set[int] | None:
    """The ids of the challenges `user` solved; None for an anonymous caller (no marker shown)."""
    return set(solved_challenge_ids(user=user)) if user.is_authenticated else None
