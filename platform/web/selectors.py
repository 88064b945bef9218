"""Reads for pages that gather several apps' rows: the profile (what a user solved, their recent
submissions, where they stand on the boards). Each piece is a plain dataclass."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max, Min, Q

from catalog.selectors import challenge_list
from leaderboards.models import BestEntry, UserTotal
from leaderboards.selectors import board_size, user_entry
from submissions.models import Submission
from submissions.selectors import submission_list, topic_progress

RECENT_SUBMISSIONS = 10


@dataclass(frozen=True)
class SolvedChallenge:
    slug: str
    title: str
    kind: str
    first_solved_at: datetime
    best_score: float


@dataclass(frozen=True)
class Standing:
    """The user's place on one board: a challenge's (slug and title set) or a device class's global board."""

    device_class: str
    rank: int
    of: int
    score: float
    challenge_slug: str = ""
    challenge_title: str = ""
    speedup: float | None = None
    challenges: int = 0


def solved_challenges(*, user) -> list[SolvedChallenge]:
    """Each challenge the user solved (submissions.rules.result_solves), first solved first."""
    rows = (Submission.objects.filter(user=user, result__solved=True)
            .values("challenge_version__challenge__slug", "challenge_version__challenge__title", "challenge_version__challenge__kind")
            .annotate(first=Min("created_at"), best=Max("result__score")).order_by("first"))
    return [SolvedChallenge(slug=r["challenge_version__challenge__slug"], title=r["challenge_version__challenge__title"],
                            kind=r["challenge_version__challenge__kind"], first_solved_at=r["first"], best_score=r["best"]) for r in rows]


def challenge_standings(*, user) -> list[Standing]:
    """The user's rank on every challenge board they are on, best rank first."""
    standings = []
    for entry in BestEntry.objects.filter(user=user).select_related("challenge").order_by("challenge__slug", "device_class"):
        row = user_entry(user=user, challenge=entry.challenge, device_class=entry.device_class)
        if row is not None:
            standings.append(Standing(device_class=entry.device_class, rank=row.rank, score=row.score, speedup=row.speedup,
                                      of=board_size(challenge=entry.challenge, device_class=entry.device_class),
                                      challenge_slug=entry.challenge.slug, challenge_title=entry.challenge.title))
    return sorted(standings, key=lambda s: (s.rank, s.challenge_slug))


def global_standings(*, user) -> list[Standing]:
    """The user's rank on each device class's global board (leaderboards.ranking.GLOBAL_ORDER)."""
    standings = []
    for total in UserTotal.objects.filter(user=user).order_by("device_class"):
        ahead = UserTotal.objects.filter(device_class=total.device_class).filter(
            Q(total_score__gt=total.total_score)
            | Q(total_score=total.total_score, challenges__gt=total.challenges)
            | Q(total_score=total.total_score, challenges=total.challenges, last_improved_at__lt=total.last_improved_at)
            | Q(total_score=total.total_score, challenges=total.challenges, last_improved_at=total.last_improved_at, pk__lt=total.pk)
        ).count()
        standings.append(Standing(device_class=total.device_class, rank=ahead + 1, of=board_size(device_class=total.device_class),
                                  score=total.total_score, challenges=total.challenges))
    return standings


def profile_summary(*, user) -> dict:
    """Everything the profile page shows, for a logged-in user."""
    solved = solved_challenges(user=user)
    submissions = submission_list(user=user).order_by("-created_at")
    return {
        "progress": topic_progress(user=user),
        "solved": solved,
        "solved_count": len(solved),
        "total": challenge_list().count(),
        "attempts": submissions.count(),
        "recent": list(submissions[:RECENT_SUBMISSIONS]),
        "global_standings": global_standings(user=user),
        "challenge_standings": challenge_standings(user=user),
    }
