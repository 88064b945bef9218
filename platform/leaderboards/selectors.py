"""Reads for leaderboards. Each board is one indexed query over the denormalised tables
(models.py); rows are plain dataclasses, so pages, the API and the CLI share them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q

from catalog.models import Challenge
from graders import verdicts
from leaderboards.models import BestEntry, UserTotal
from leaderboards.ranking import BOARD_ORDER, GLOBAL_ORDER, measured_speedup
from submissions.models import Result

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
UNRANKED_TAG = "degenerate"  # graders.validate.DEGENERATE_TAG: the package's check can be passed without the work


def unranked_q(*, prefix: str = "") -> Q:
    """Challenges never ranked: those tagged `degenerate` (import and validate_challenges tag a
    package whose reference output is constant or input-independent, or where x1.01 or zeros pass,
    docs/interop.md). Matched on the tags' JSON text, quotes included, so only that exact tag
    counts (JSON containment is not available on SQLite)."""
    return Q(**{f"{prefix}tags__icontains": f'"{UNRANKED_TAG}"'})


def is_ranked(challenge: Challenge) -> bool:
    return UNRANKED_TAG not in (challenge.tags or [])


@dataclass(frozen=True)
class BoardRow:
    """One user's best entry on a challenge board."""

    rank: int
    user_id: int
    username: str
    score: float
    speedup: float | None
    speedup_ci: tuple[float, float] | None
    submitted_at: datetime
    submission_id: str
    flags: list[str] = field(default_factory=list)  # the marked result flags: "noisy", "timing_mismatch"


@dataclass(frozen=True)
class GlobalRow:
    """One user's total on a device class's global board."""

    rank: int
    user_id: int
    username: str
    total_score: float
    challenges: int
    last_improved_at: datetime


def board_challenge(*, slug: str) -> Challenge:
    """The challenge a board page is for, as the catalog shows it (active, with a current
    version), loading only what a board needs: not the version's package archive. A challenge
    that is never ranked (`unranked_q`) has no board. Raises Challenge.DoesNotExist."""
    return (Challenge.objects.filter(is_active=True, current_version__isnull=False).exclude(unranked_q())
            .only("id", "slug", "title").get(slug=slug))


def _window(limit: int, offset: int) -> tuple[int, int]:
    """Clamp paging values from a query string or API call: never an error, never unbounded."""
    return max(0, min(int(limit), MAX_LIMIT)), max(0, int(offset))


def challenge_board(*, challenge: Challenge, device_class: str = "cpu", limit: int = DEFAULT_LIMIT, offset: int = 0) -> list[BoardRow]:
    """Best entry per user on one challenge and device class: score, then geometric-mean
    speedup, then earliest submission (leaderboards.ranking). `rank` counts from 1 over the whole
    board, so `offset` pages through it."""
    limit, offset = _window(limit, offset)
    rows = (
        BestEntry.objects.filter(challenge=challenge, device_class=device_class)
        .order_by(*BOARD_ORDER)
        .values_list("user_id", "user__username", "score", "speedup", "speedup_ci_low", "speedup_ci_high",
                     "submitted_at", "submission_id", "noisy", "timing_mismatch")[offset:offset + limit]
    )
    return [
        BoardRow(
            rank=offset + i + 1, user_id=user_id, username=username, score=score, speedup=speedup,
            speedup_ci=(low, high) if low is not None and high is not None else None,
            submitted_at=submitted_at, submission_id=str(submission_id),
            flags=[name for name, on in (("noisy", noisy), ("timing_mismatch", mismatch)) if on],
        )
        for i, (user_id, username, score, speedup, low, high, submitted_at, submission_id, noisy, mismatch) in enumerate(rows)
    ]


def global_board(*, device_class: str = "cpu", limit: int = DEFAULT_LIMIT, offset: int = 0) -> list[GlobalRow]:
    """Sum of each user's best scores on one device class: total, then the number of
    challenges, then who reached it first."""
    limit, offset = _window(limit, offset)
    rows = (
        UserTotal.objects.filter(device_class=device_class)
        .order_by(*GLOBAL_ORDER)
        .values_list("user_id", "user__username", "total_score", "challenges", "last_improved_at")[offset:offset + limit]
    )
    return [
        GlobalRow(rank=offset + i + 1, user_id=u, username=name, total_score=total, challenges=n, last_improved_at=last)
        for i, (u, name, total, n, last) in enumerate(rows)
    ]


def board_size(*, challenge: Challenge | None = None, device_class: str = "cpu") -> int:
    """How many users a board ranks (the challenge's, or the global one when challenge is None)."""
    if challenge is None:
        return UserTotal.objects.filter(device_class=device_class).count()
    return BestEntry.objects.filter(challenge=challenge, device_class=device_class).count()


def board_device_classes(*, challenge: Challenge | None = None) -> list[str]:
    """Device classes that have at least one entry (on this challenge, or anywhere); "cpu" first."""
    qs = BestEntry.objects.filter(challenge=challenge) if challenge is not None else UserTotal.objects.all()
    found = set(qs.values_list("device_class", flat=True).distinct())
    return sorted(found, key=lambda d: (d != "cpu", d))


def board_sizes(*, challenge: Challenge | None = None) -> dict[str, int]:
    """Ranked users per device class (of a challenge's boards, or of the global ones), in one
    query: the classes a page offers and the size of the one it shows. "cpu" first."""
    from django.db.models import Count

    qs = BestEntry.objects.filter(challenge=challenge) if challenge is not None else UserTotal.objects.all()
    counts = dict(qs.values_list("device_class").annotate(n=Count("id")).order_by())
    return {d: counts[d] for d in sorted(counts, key=lambda d: (d != "cpu", d))}


def user_entry(*, user, challenge: Challenge, device_class: str = "cpu") -> BoardRow | None:
    """The user's own row on a challenge board, with its rank, wherever it is."""
    entry = BestEntry.objects.filter(user=user, challenge=challenge, device_class=device_class).first() if user.is_authenticated else None
    if entry is None:
        return None
    ahead = BestEntry.objects.filter(challenge=challenge, device_class=device_class).filter(
        _ahead_of(entry)
    ).count()
    return challenge_board(challenge=challenge, device_class=device_class, limit=1, offset=ahead)[0]


def _ahead_of(entry: BestEntry):
    from django.db.models import Q

    return (
        Q(score__gt=entry.score)
        | Q(score=entry.score, rank_speedup__gt=entry.rank_speedup)
        | Q(score=entry.score, rank_speedup=entry.rank_speedup, submitted_at__lt=entry.submitted_at)
        | Q(score=entry.score, rank_speedup=entry.rank_speedup, submitted_at=entry.submitted_at, pk__lt=entry.pk)
    )


@dataclass(frozen=True)
class EntryView:
    """What a board's link shows: the result for everyone, the code only to those allowed."""

    submission_id: str
    username: str
    challenge_slug: str
    challenge_title: str
    device_class: str
    verdict: str
    score: float
    speedup: float | None
    speedup_ci: tuple[float, float] | None
    flags: list[str]
    message: str
    submitted_at: datetime
    files: dict[str, str] | None  # None: the code is private to its author


class EntryNotFound(Exception):
    pass


def entry_view(*, submission_id, viewer) -> EntryView:
    """A counted entry (accepted, and published if it belongs to a contest); raises EntryNotFound
    otherwise. The code is shown to its author and staff, or to all when its contest made
    entries public (contests.selectors.code_is_public)."""
    from contests.selectors import code_is_public

    result = counted_results().select_related("submission__user", "submission__challenge_version__challenge").filter(submission_id=submission_id).first()
    if result is None:
        raise EntryNotFound(str(submission_id))
    submission = result.submission
    speedup, ci = measured_speedup(result.metrics)
    mine = viewer.is_authenticated and (viewer.pk == submission.user_id or viewer.is_staff)
    challenge = submission.challenge_version.challenge
    return EntryView(
        submission_id=str(submission.pk), username=submission.user.username, challenge_slug=challenge.slug,
        challenge_title=challenge.title, device_class=submission.device_class, verdict=result.verdict, score=result.score,
        speedup=speedup, speedup_ci=ci, flags=[f for f in (result.flags or []) if isinstance(f, str)], message=result.message,
        submitted_at=submission.created_at, files=dict(submission.files) if mine or code_is_public(submission=submission) else None,
    )


def counted_results():
    """Accepted results that may appear on public boards (contest entries only once their
    contest has published its standings: see contests.selectors.public_board_q; a hiring
    assessment's submissions never: they belong to the organisation that invited the candidate;
    a challenge that is never ranked, `unranked_q`, never)."""
    from contests.selectors import public_board_q

    return (Result.objects.filter(verdict=verdicts.ACCEPTED).filter(public_board_q(prefix="submission__"))
            .filter(submission__assessment_link__isnull=True)
            .exclude(unranked_q(prefix="submission__challenge_version__challenge__")))
