"""Reads for contests: lists, phases, who may see what, and the scoreboard."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from contests.models import AuditEvent, Contest, ContestSubmission, Participant, Verification
from graders import verdicts
from leaderboards.ranking import MARKED_FLAGS, entry_sort_key, geometric_mean, measured_speedup
from leaderboards.selectors import unranked_q

UPCOMING, RUNNING, FROZEN, ENDED, PUBLISHED = "upcoming", "running", "frozen", "ended", "published"


def public_board_q(*, prefix: str = "") -> Q:
    """Which submissions public (practice) boards may count: any outside a contest; a contest's
    only once its standings are published, and never a disqualified or demoted one. Otherwise
    the challenge boards would show what a frozen contest board hides."""
    p = f"{prefix}contest_entry__"
    return Q(**{f"{prefix}contest_entry__isnull": True}) | (
        Q(**{f"{p}contest__published_at__isnull": False, f"{p}disqualified_at__isnull": True})
        & ~Q(**{f"{p}verification__status": Verification.Status.NOT_REPRODUCED})
    )


def code_is_public(*, submission) -> bool:
    """A contest entry's code is public when its contest says so and has published its standings."""
    entry = ContestSubmission.objects.filter(submission=submission).select_related("contest").first()
    return bool(entry and entry.contest.code_public and entry.contest.published_at and not entry.disqualified_at)


def contest_list() -> QuerySet[Contest]:
    return Contest.objects.prefetch_related("contest_challenges__challenge").order_by("-starts_at", "slug")


def contest_get(*, slug: str) -> Contest:
    """Raises Contest.DoesNotExist for an unknown slug."""
    return Contest.objects.get(slug=slug)


def contest_challenges(*, contest: Contest) -> list:
    """The contest's challenges, in the contest's order; one tagged degenerate since it was added
    (leaderboards.selectors.unranked_q) is left out: it is no longer offered for ranking."""
    return [cc.challenge for cc in contest.contest_challenges.exclude(unranked_q(prefix="challenge__")).select_related("challenge__current_version")]


def contest_phase(*, contest: Contest, now: datetime | None = None) -> str:
    """upcoming, running, frozen (running, board frozen), ended, or published (the reveal)."""
    now = now or timezone.now()
    if contest.published_at:
        return PUBLISHED
    if now < contest.starts_at:
        return UPCOMING
    if now >= contest.ends_at:
        return ENDED
    return FROZEN if contest.freeze_at and now >= contest.freeze_at else RUNNING


def is_organiser(*, contest: Contest, user) -> bool:
    return bool(user.is_authenticated and (user.is_staff or contest.organisers.filter(pk=user.pk).exists()))


def is_participant(*, contest: Contest, user) -> bool:
    return bool(user.is_authenticated and Participant.objects.filter(contest=contest, user=user).exists())


def sees_live_board(*, contest: Contest, viewer, now: datetime | None = None) -> bool:
    """Organisers always see the live board; everyone else sees it frozen from the freeze until the reveal."""
    now = now or timezone.now()
    frozen = contest.freeze_at is not None and now >= contest.freeze_at and not contest.published_at
    return not frozen or is_organiser(contest=contest, user=viewer)


@dataclass(frozen=True)
class BoardCell:
    """One participant's counted entry on one challenge."""

    challenge_slug: str
    submission_id: str
    score: float
    speedup: float | None
    speedup_ci: tuple[float, float] | None
    submitted_at: datetime
    flags: list[str] = field(default_factory=list)
    verified: bool = False  # re-graded and reproduced
    demoted: bool = False  # re-graded and did not reproduce: counts with the re-grading's score
    note: str = ""  # why it was demoted


@dataclass(frozen=True)
class StandingRow:
    rank: int
    user_id: int
    username: str
    total_score: float
    speedup: float | None  # geometric mean of the cells' speedups
    last_submitted_at: datetime
    cells: dict[str, BoardCell]  # by challenge slug
    columns: list[BoardCell | None] = field(default_factory=list)  # the cells in the contest's challenge order


@dataclass(frozen=True)
class DisqualifiedEntry:
    submission_id: str
    username: str
    challenge_slug: str
    reason: str
    disqualified_at: datetime


@dataclass(frozen=True)
class ContestBoard:
    contest_slug: str
    challenges: list[str]
    rows: list[StandingRow]
    live: bool  # False: the frozen board, as of `as_of`
    as_of: datetime | None
    final: bool  # published: verified standings
    disqualified: list[DisqualifiedEntry] = field(default_factory=list)  # organisers' view only


ENTRY_FIELDS = (
    "submission_id", "user_id", "user__username", "challenge__slug", "created_at",
    "submission__result__score", "submission__result__metrics", "submission__result__flags",
    "verification__status", "verification__score", "verification__speedup", "verification__speedup_ci_low",
    "verification__speedup_ci_high", "verification__reason",
)


def _challenge_slugs(contest: Contest) -> list[str]:
    return list(contest.contest_challenges.exclude(unranked_q(prefix="challenge__")).values_list("challenge__slug", flat=True))


def _counted_entries(contest: Contest, *, before: datetime | None):
    qs = (ContestSubmission.objects.filter(contest=contest, disqualified_at__isnull=True, submission__result__verdict=verdicts.ACCEPTED)
          .exclude(unranked_q(prefix="challenge__")))
    return qs.filter(created_at__lt=before) if before is not None else qs


def _cell(row: dict) -> BoardCell:
    speedup, ci = measured_speedup(row["submission__result__metrics"])
    flags = [f for f in (row["submission__result__flags"] or []) if f in MARKED_FLAGS]
    base = {"challenge_slug": row["challenge__slug"], "submission_id": str(row["submission_id"]), "submitted_at": row["created_at"], "flags": flags}
    if row["verification__status"] == Verification.Status.NOT_REPRODUCED:
        low, high = row["verification__speedup_ci_low"], row["verification__speedup_ci_high"]
        return BoardCell(**base, score=row["verification__score"], speedup=row["verification__speedup"],
                         speedup_ci=(low, high) if low is not None and high is not None else None, demoted=True, note=row["verification__reason"])
    verified = row["verification__status"] == Verification.Status.REPRODUCED
    return BoardCell(**base, score=float(row["submission__result__score"]), speedup=speedup, speedup_ci=ci, verified=verified)


def _best_cells(rows) -> dict[int, dict[str, BoardCell]]:
    """Per user, per challenge: the best cell by the leaderboards' ranking rule."""
    best: dict[int, dict[str, BoardCell]] = {}
    names: dict[int, str] = {}
    for row in rows:
        cell = _cell(row)
        names[row["user_id"]] = row["user__username"]
        cells = best.setdefault(row["user_id"], {})
        held = cells.get(cell.challenge_slug)
        if held is None or _cell_key(cell) < _cell_key(held):
            cells[cell.challenge_slug] = cell
    return best, names


def _cell_key(cell: BoardCell) -> tuple:
    return (*entry_sort_key(score=cell.score, speedup=cell.speedup, submitted_at=cell.submitted_at), cell.submission_id)


def standings(*, contest: Contest, before: datetime | None = None) -> list[StandingRow]:
    """Ranked rows: total of the best scores, then the geometric-mean speedup, then whoever
    reached their entries first. `before` cuts the board at a time (the freeze)."""
    best, names = _best_cells(_counted_entries(contest, before=before).values(*ENTRY_FIELDS).order_by("created_at"))
    order = _challenge_slugs(contest)
    unranked = []
    for user_id, cells in best.items():
        total = sum(c.score for c in cells.values())
        speedup = geometric_mean([c.speedup for c in cells.values()])
        last = max(c.submitted_at for c in cells.values())
        unranked.append((entry_sort_key(score=total, speedup=speedup, submitted_at=last), user_id, total, speedup, last, cells))
    unranked.sort(key=lambda item: (item[0], names[item[1]]))
    return [
        StandingRow(rank=i + 1, user_id=user_id, username=names[user_id], total_score=total, speedup=speedup, last_submitted_at=last,
                    cells=cells, columns=[cells.get(slug) for slug in order])
        for i, (_, user_id, total, speedup, last, cells) in enumerate(unranked)
    ]


def contest_board(*, contest: Contest, viewer, now: datetime | None = None) -> ContestBoard:
    """The scoreboard `viewer` may see: live for organisers (and for all before the freeze and
    after the reveal), else the board as it stood at the freeze."""
    live = sees_live_board(contest=contest, viewer=viewer, now=now)
    organiser = is_organiser(contest=contest, user=viewer)
    return ContestBoard(
        contest_slug=contest.slug,
        challenges=_challenge_slugs(contest),
        rows=standings(contest=contest, before=None if live else contest.freeze_at),
        live=live,
        as_of=None if live else contest.freeze_at,
        final=contest.published_at is not None,
        disqualified=disqualified_entries(contest=contest) if organiser else [],
    )


def disqualified_entries(*, contest: Contest) -> list[DisqualifiedEntry]:
    rows = ContestSubmission.objects.filter(contest=contest, disqualified_at__isnull=False).select_related("user", "challenge")
    return [
        DisqualifiedEntry(submission_id=str(e.submission_id), username=e.user.username, challenge_slug=e.challenge.slug,
                          reason=e.disqualification_reason, disqualified_at=e.disqualified_at)
        for e in rows.order_by("disqualified_at")
    ]


def top_entries(*, contest: Contest, per_challenge: int) -> list[ContestSubmission]:
    """The entries re-verification re-grades: on each challenge, the best `per_challenge`
    participants' counted entries on the live board (disqualified ones left out)."""
    ids: list[str] = []
    best, _ = _best_cells(_counted_entries(contest, before=None).values(*ENTRY_FIELDS))
    for slug in _challenge_slugs(contest):
        cells = sorted((cells[slug] for cells in best.values() if slug in cells), key=_cell_key)
        ids += [c.submission_id for c in cells[:per_challenge]]
    return list(ContestSubmission.objects.filter(submission_id__in=ids).select_related("submission__challenge_version__challenge", "submission__result"))


def audit_log(*, contest: Contest, limit: int = 200) -> QuerySet[AuditEvent]:
    return contest.audit_events.select_related("actor", "entry__user", "entry__challenge")[:limit]


def submissions_left(*, contest: Contest, user, now: datetime | None = None) -> int:
    """How many more submissions the rate limit allows `user` now."""
    now = now or timezone.now()
    since = now - timedelta(seconds=contest.rate_limit_window_s)
    used = ContestSubmission.objects.filter(contest=contest, user=user, created_at__gt=since).count()
    return max(0, contest.rate_limit_count - used)
