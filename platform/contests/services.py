"""Writes for contests: create, invite, register, submit (rate-limited), disqualify and
reinstate (audited), re-verify the top entries, publish (the reveal)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.models import Challenge
from contests.models import AuditEvent, Contest, ContestChallenge, ContestSubmission, Invitation, Participant, Verification
from contests.regrade import regrade_submission
from contests.selectors import ENDED, FROZEN, RUNNING, UPCOMING, contest_phase, is_organiser, submissions_left, top_entries
from contests.verification import reproduces
from graders import verdicts
from graders.result import GradeResult
from leaderboards.ranking import measured_speedup
from leaderboards.selectors import UNRANKED_TAG, is_ranked
from leaderboards.services import best_entries_refresh
from submissions.models import Submission
from submissions.services import submission_create

MAX_REASON_CHARS = 2000


def _require_organiser(contest: Contest, actor) -> None:
    if not is_organiser(contest=contest, user=actor):
        raise PermissionDenied("Only this contest's organisers can do that.")


def _reason(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Give a reason: it is kept in the contest's audit log.")
    if len(text) > MAX_REASON_CHARS or "\x00" in text:
        raise ValidationError(f"A reason is plain text of at most {MAX_REASON_CHARS} characters.")
    return text


@transaction.atomic
def contest_create(
    *, slug: str, title: str, starts_at: datetime, ends_at: datetime, challenges: Iterable[Challenge],
    device_class: str = "cpu", freeze_at: datetime | None = None, registration: str = Contest.Registration.OPEN,
    organisers: Iterable = (), rules_md: str = "", **options,
) -> Contest:
    """A contest over `challenges` (in that order). `options`: the other Contest fields
    (rate_limit_count, rate_limit_window_s, reverify_top_n, code_public)."""
    challenges = list(challenges)
    unranked = [c.slug for c in challenges if not is_ranked(c)]
    if unranked:
        raise ValidationError(f"{', '.join(unranked)}: tagged {UNRANKED_TAG} (its check can be passed without doing the work), "
                              "so not offered for ranking: leave it out of the contest")
    contest = Contest(slug=slug, title=title, starts_at=starts_at, ends_at=ends_at, freeze_at=freeze_at, device_class=device_class,
                      registration=registration, rules_md=rules_md, **options)
    contest.full_clean()
    contest.save()
    ContestChallenge.objects.bulk_create([ContestChallenge(contest=contest, challenge=c, position=i) for i, c in enumerate(challenges)])
    contest.organisers.set(list(organisers))
    return contest


@transaction.atomic
def contest_invite(*, contest: Contest, user, actor) -> Invitation:
    _require_organiser(contest, actor)
    invitation, created = Invitation.objects.get_or_create(contest=contest, user=user, defaults={"invited_by": actor})
    if created:
        AuditEvent.objects.create(contest=contest, actor=actor, action=AuditEvent.Action.INVITE, reason=f"invited {user.username}")
    return invitation


@transaction.atomic
def contest_register(*, contest: Contest, user, now: datetime | None = None) -> Participant:
    """Register `user` (idempotent). Open until the contest ends; an invitation-only contest
    needs an invitation."""
    if not user.is_authenticated:
        raise PermissionDenied("Log in to register.")
    if contest_phase(contest=contest, now=now) not in (UPCOMING, RUNNING, FROZEN):
        raise ValidationError("Registration is closed: this contest has ended.")
    if contest.registration == Contest.Registration.INVITE and not Invitation.objects.filter(contest=contest, user=user).exists():
        raise ValidationError("This contest is by invitation only, and you have no invitation.")
    participant, _ = Participant.objects.get_or_create(contest=contest, user=user)
    return participant


@transaction.atomic
def contest_submit(*, contest: Contest, user, challenge: Challenge, files: dict[str, str], now: datetime | None = None) -> ContestSubmission:
    """Submit to a contest: a registered participant, while it runs, on one of its challenges,
    within the rate limit; graded on the contest's device class like any submission."""
    now = now or timezone.now()
    if not Participant.objects.filter(contest=contest, user=user).exists():
        raise ValidationError("Register for this contest before submitting.")
    if contest_phase(contest=contest, now=now) not in (RUNNING, FROZEN):
        raise ValidationError("This contest is not running: submissions are open from its start to its end.")
    if not ContestChallenge.objects.filter(contest=contest, challenge=challenge).exists():
        raise ValidationError(f"{challenge.slug} is not part of this contest.")
    if not is_ranked(challenge):
        raise ValidationError(f"{challenge.slug} is tagged {UNRANKED_TAG} and no longer ranked in this contest.")
    Participant.objects.select_for_update().filter(contest=contest, user=user).first()  # one rate-limit check at a time
    if submissions_left(contest=contest, user=user, now=now) <= 0:
        minutes = max(1, contest.rate_limit_window_s // 60)
        raise ValidationError(f"Rate limit: at most {contest.rate_limit_count} submissions per {minutes} minutes in this contest. Try again later.")
    device = "cpu" if contest.device_class == "cpu" else "cuda"
    submission = submission_create(user=user, challenge=challenge, files=files, device=device, device_class=contest.device_class)
    return ContestSubmission.objects.create(contest=contest, submission=submission, user=user, challenge=challenge, created_at=submission.created_at)


@transaction.atomic
def entry_disqualify(*, entry: ContestSubmission, actor, reason: str) -> ContestSubmission:
    """Take an entry off the boards, keeping it (row, files, result) and the reason in the audit log."""
    _require_organiser(entry.contest, actor)
    reason = _reason(reason)
    entry = ContestSubmission.objects.select_for_update().get(pk=entry.pk)
    if entry.disqualified_at:
        raise ValidationError("This entry is already disqualified.")
    entry.disqualified_at, entry.disqualified_by, entry.disqualification_reason = timezone.now(), actor, reason
    entry.save(update_fields=["disqualified_at", "disqualified_by", "disqualification_reason"])
    AuditEvent.objects.create(contest=entry.contest, actor=actor, action=AuditEvent.Action.DISQUALIFY, entry=entry, reason=reason)
    best_entries_refresh(submissions=[entry.submission])
    return entry


@transaction.atomic
def entry_reinstate(*, entry: ContestSubmission, actor, reason: str) -> ContestSubmission:
    _require_organiser(entry.contest, actor)
    reason = _reason(reason)
    entry = ContestSubmission.objects.select_for_update().get(pk=entry.pk)
    if not entry.disqualified_at:
        raise ValidationError("This entry is not disqualified.")
    entry.disqualified_at, entry.disqualified_by, entry.disqualification_reason = None, None, ""
    entry.save(update_fields=["disqualified_at", "disqualified_by", "disqualification_reason"])
    AuditEvent.objects.create(contest=entry.contest, actor=actor, action=AuditEvent.Action.REINSTATE, entry=entry, reason=reason)
    best_entries_refresh(submissions=[entry.submission])
    return entry


Regrade = Callable[..., GradeResult]


def contest_reverify_check(*, contest: Contest, actor, now: datetime | None = None) -> None:
    """Raise unless `actor` may re-verify `contest` now (an organiser; ended, not yet published)."""
    _require_organiser(contest, actor)
    if contest_phase(contest=contest, now=now) != ENDED:
        raise ValidationError("Re-verification runs once the contest has ended and before its standings are published.")


def contest_reverify(*, contest: Contest, actor, regrade: Regrade = regrade_submission, now: datetime | None = None) -> list[Verification]:
    """Re-grade the top `reverify_top_n` entries of each challenge with fresh secret seeds (after
    the end); an entry whose result does not reproduce (contests.verification) is demoted and
    the board says why. A platform failure while re-grading decides nothing: that entry keeps
    its place unverified and a later run tries again. Gradings run outside any transaction."""
    contest_reverify_check(contest=contest, actor=actor, now=now)
    done = []
    for entry in top_entries(contest=contest, per_challenge=contest.reverify_top_n):
        fresh = regrade(submission=entry.submission)
        if fresh.verdict in verdicts.RETRYABLE:
            continue
        done.append(_record_verification(entry, fresh, actor))
    contest.verified_at = timezone.now()
    Contest.objects.filter(pk=contest.pk).update(verified_at=contest.verified_at)
    demoted = sum(1 for v in done if v.status == Verification.Status.NOT_REPRODUCED)
    AuditEvent.objects.create(contest=contest, actor=actor, action=AuditEvent.Action.VERIFY,
                              reason=f"re-graded {len(done)} entries with fresh secret seeds: {demoted} did not reproduce")
    return done


@transaction.atomic
def _record_verification(entry: ContestSubmission, fresh: GradeResult, actor) -> Verification:
    data = fresh.as_dict()
    outcome = reproduces(original_metrics=entry.submission.result.metrics, fresh_verdict=data["verdict"], fresh_message=data["message"], fresh_metrics=data["metrics"])
    speedup, ci = measured_speedup(data["metrics"])
    verification, _ = Verification.objects.update_or_create(entry=entry, defaults={
        "status": Verification.Status.REPRODUCED if outcome.reproduced else Verification.Status.NOT_REPRODUCED,
        # a demoted entry counts with what it reproducibly scores; a reproduced one keeps its own
        "verdict": data["verdict"], "score": entry.submission.result.score if outcome.reproduced else float(data["score"]),
        "speedup": speedup, "speedup_ci_low": ci[0] if ci else None, "speedup_ci_high": ci[1] if ci else None, "reason": outcome.reason,
    })
    if not outcome.reproduced:
        AuditEvent.objects.create(contest=entry.contest, actor=actor, action=AuditEvent.Action.VERIFY, entry=entry, reason=outcome.reason)
    return verification


@transaction.atomic
def contest_publish(*, contest: Contest, actor, now: datetime | None = None) -> Contest:
    """The reveal: everyone sees the live, final board, and the entries join the public boards.
    Standings are final only once the top entries were re-verified (unless reverify_top_n is 0).
    Updates `contest` in place too, and returns it."""
    _require_organiser(contest, actor)
    stored = Contest.objects.select_for_update().get(pk=contest.pk)  # as stored: verified_at, published_at
    if contest_phase(contest=stored, now=now) != ENDED:
        raise ValidationError("Standings can be published once the contest has ended (and only once).")
    if stored.reverify_top_n and not stored.verified_at:
        raise ValidationError(f"Re-verify the top {stored.reverify_top_n} entries of each challenge before publishing the standings.")
    contest.published_at = stored.published_at = now or timezone.now()
    stored.save(update_fields=["published_at"])
    AuditEvent.objects.create(contest=contest, actor=actor, action=AuditEvent.Action.PUBLISH, reason="standings published")
    best_entries_refresh(submissions=Submission.objects.filter(contest_entry__contest=contest).select_related("challenge_version"))
    return contest
