"""What a result means for practice: the one place the "solved" rule lives.

A challenge counts as solved (it opens the editorial, marks the catalog and counts for
progress) when a result reaches the challenge's first target tier, not merely a correct
answer. The rule is applied when a result is written (`Result.solved`), so every reader
(`submissions.selectors.solved_challenge_ids`, `is_solved`, leaderboards, the API) asks
one indexed column instead of re-deriving it.
"""
from __future__ import annotations

from graders import verdicts


def awaiting_review(metrics: dict | None) -> bool:
    """A written answer whose marks a reviewer has yet to look at: its verdict is provisional."""
    rubric = (metrics or {}).get("rubric")
    return isinstance(rubric, dict) and bool(rubric.get("needs_review"))


def result_solves(*, verdict: str, metrics: dict | None) -> bool:
    """Accepted, not awaiting review, and at or past the first target tier.

    The grading pipeline writes `metrics["tier"]` (tiers cleared, 0 = none) for every
    challenge graded in the sandbox; answer kinds (written, quiz) have no tiers, and for them
    reaching the pass mark (`accepted`) is the first and only tier."""
    if verdict != verdicts.ACCEPTED or awaiting_review(metrics):
        return False
    metrics = metrics or {}
    if "tier" not in metrics:
        return True
    tier = metrics["tier"]
    return isinstance(tier, int) and not isinstance(tier, bool) and tier >= 1
