"""Writes for organisations, assessments, invitations and timed sessions. Every member action
that changes something, or exports a report, leaves an AuditEntry."""
from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import (Assessment, AssessmentItem, AssessmentSubmission, AuditEntry, CandidateInvitation,
                                CandidateSession, ItemWork, MemberInvite, Membership, Organisation, Role)
from assessments.rules import invitation_status, session_is_open
from catalog.models import Challenge
from catalog.selectors import ANSWER_KINDS, runs_on
from reviews.models import CriterionMark, WrittenReview
from reviews.services import criterion_override, review_complete
from submissions.rate_limits import submission_rate_check
from submissions.services import submission_create, validate_files
from workers.devices import DeviceClassError, device_kind_of, normalize_device_class

MAX_ITEMS = 20
MAX_TIME_LIMIT_MINUTES = 24 * 60
MAX_SUBMISSIONS_PER_ITEM = 20  # a candidate's gradings per item: enough to iterate, not enough to flood the queue
TIME_COUNTED_PER_SAVE_S = 120  # time spent: the gap since the last save on the item, at most this much


class InvitationUnusable(ValidationError):
    """The link cannot start or resume a session; `reason` is expired, revoked or used."""

    def __init__(self, message: str, *, reason: str):
        super().__init__(message)
        self.reason = reason


class SessionClosed(ValidationError):
    """Work arrived after the session closed (time ran out, handed in, or revoked): refused,
    and what was saved before stays as it was."""


def audit(*, organisation: Organisation, actor, action: str, target: str = "", **detail) -> AuditEntry:
    return AuditEntry.objects.create(organisation=organisation, actor=actor if getattr(actor, "pk", None) else None,
                                     action=action, target=target[:200], detail=_jsonable(detail))


def _jsonable(detail: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, datetime.datetime) else v) for k, v in detail.items()}


# -- organisations and members ----------------------------------------------------------------
@transaction.atomic
def organisation_create(*, owner, name: str, slug: str | None = None) -> Organisation:
    slug = slugify(slug or name)[:50]
    if not slug or not (name or "").strip():
        raise ValidationError("Give the organisation a name.")
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError(f"The name {slug!r} is taken.")
    organisation = Organisation.objects.create(slug=slug, name=name.strip()[:200])
    Membership.objects.create(organisation=organisation, user=owner, role=Role.OWNER)
    audit(organisation=organisation, actor=owner, action="organisation.create", target=slug)
    return organisation


@transaction.atomic
def member_invite(*, organisation: Organisation, actor, email: str, role: str, site_url: str) -> MemberInvite:
    _require_role(actor, organisation, (Role.OWNER,))
    email = _email(email)
    if role not in Role.values:
        raise ValidationError(f"Choose a role: {', '.join(Role.values)}.")
    invite = MemberInvite.objects.create(organisation=organisation, email=email, role=role, invited_by=actor,
                                         expires_at=timezone.now() + datetime.timedelta(days=7))
    link = site_url.rstrip("/") + reverse("assessments:member_join", args=[invite.token])
    _mail(f"Join {organisation.name} on Hotpath", f"{actor.username} invites you to {organisation.name} as {role}.\n\n"
          f"Log in or sign up, then open this link (valid 7 days):\n{link}\n", email)
    audit(organisation=organisation, actor=actor, action="member.invite", target=email, role=role)
    return invite


@transaction.atomic
def member_join(*, token: str, user) -> Membership:
    invite = MemberInvite.objects.select_for_update().select_related("organisation").filter(token=token).first()
    if invite is None:
        raise ValidationError("This invitation link is not valid.")
    if invite.accepted_at is not None:
        raise ValidationError("This invitation link was already used.")
    if timezone.now() >= invite.expires_at:
        raise ValidationError("This invitation link has expired; ask for a new one.")
    membership, _ = Membership.objects.get_or_create(organisation=invite.organisation, user=user, defaults={"role": invite.role})
    invite.accepted_at, invite.accepted_by = timezone.now(), user
    invite.save(update_fields=["accepted_at", "accepted_by"])
    audit(organisation=invite.organisation, actor=user, action="member.join", target=user.username, role=membership.role)
    return membership


def _require_role(user, organisation: Organisation, roles: tuple) -> None:
    if not Membership.objects.filter(organisation=organisation, user=user, role__in=roles).exists():
        raise PermissionDenied("Your role in this organisation does not allow this.")


# -- the builder -------------------------------------------------------------------------------
@transaction.atomic
def assessment_create(*, organisation: Organisation, actor, title: str, items: list[tuple[Challenge, float]],
                      time_limit_minutes: int, device_class: str = "cpu", instructions_md: str = "",
                      invitation_days: int = 7) -> Assessment:
    """Items are (challenge, weight) pairs; each is pinned to the challenge's current version."""
    _require_role(actor, organisation, (Role.OWNER, Role.RECRUITER))
    if not (title or "").strip():
        raise ValidationError("Give the assessment a title.")
    if not 1 <= int(time_limit_minutes) <= MAX_TIME_LIMIT_MINUTES:
        raise ValidationError(f"The time limit is 1 to {MAX_TIME_LIMIT_MINUTES} minutes.")
    if not 1 <= int(invitation_days) <= 90:
        raise ValidationError("Invitations stay valid 1 to 90 days.")
    device_class = _device_class(device_class)
    if not items or len(items) > MAX_ITEMS:
        raise ValidationError(f"Choose 1 to {MAX_ITEMS} challenges or questions.")
    if len({c.pk for c, _ in items}) != len(items):
        raise ValidationError("Each challenge may appear once.")
    assessment = Assessment.objects.create(organisation=organisation, title=title.strip()[:200], instructions_md=instructions_md or "",
                                           time_limit_minutes=int(time_limit_minutes), device_class=device_class,
                                           invitation_days=int(invitation_days), created_by=actor)
    for position, (challenge, weight) in enumerate(items):
        _check_item(challenge, weight, device_class)
        AssessmentItem.objects.create(assessment=assessment, challenge_version=challenge.current_version, position=position, weight=float(weight))
    audit(organisation=organisation, actor=actor, action="assessment.create", target=assessment.title,
          assessment_id=assessment.pk, items=[c.slug for c, _ in items])
    return assessment


def _device_class(name: str) -> str:
    try:
        return normalize_device_class(name or "cpu")
    except DeviceClassError as exc:
        raise ValidationError(str(exc)) from None


def _check_item(challenge: Challenge, weight, device_class: str) -> None:
    if not challenge.is_active or challenge.current_version is None:
        raise ValidationError(f"{challenge.slug} is not open for submissions.")
    if not isinstance(weight, (int, float)) or not 0 < float(weight) <= 100:
        raise ValidationError(f"{challenge.slug}: a weight is a number above 0, at most 100.")
    if not runs_on(challenge, device_kind_of(device_class)):
        raise ValidationError(f"{challenge.slug} does not run on {device_class}.")


# -- invitations -------------------------------------------------------------------------------
@transaction.atomic
def invitation_create(*, assessment: Assessment, actor, email: str, name: str = "", site_url: str) -> CandidateInvitation:
    _require_role(actor, assessment.organisation, (Role.OWNER, Role.RECRUITER))
    invitation = CandidateInvitation.objects.create(
        assessment=assessment, email=_email(email), name=(name or "").strip()[:200], created_by=actor,
        expires_at=timezone.now() + datetime.timedelta(days=assessment.invitation_days))
    _send_invitation(invitation, site_url)
    audit(organisation=assessment.organisation, actor=actor, action="invitation.create", target=invitation.email,
          invitation_id=invitation.pk, expires_at=invitation.expires_at)
    return invitation


@transaction.atomic
def invitation_resend(*, invitation: CandidateInvitation, actor, site_url: str) -> CandidateInvitation:
    """Send the same link again with a fresh expiry; a started, submitted or revoked one cannot be."""
    _require_role(actor, invitation.assessment.organisation, (Role.OWNER, Role.RECRUITER))
    status = invitation_status(invitation)
    if status in (CandidateInvitation.Status.REVOKED, CandidateInvitation.Status.STARTED, CandidateInvitation.Status.SUBMITTED):
        raise ValidationError(f"This invitation is {status}; it cannot be resent.")
    invitation.expires_at = timezone.now() + datetime.timedelta(days=invitation.assessment.invitation_days)
    invitation.save(update_fields=["expires_at"])
    _send_invitation(invitation, site_url)
    audit(organisation=invitation.assessment.organisation, actor=actor, action="invitation.resend", target=invitation.email,
          invitation_id=invitation.pk, expires_at=invitation.expires_at)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: CandidateInvitation, actor) -> CandidateInvitation:
    """The link stops working (a running session closes); nothing saved is deleted."""
    _require_role(actor, invitation.assessment.organisation, (Role.OWNER, Role.RECRUITER))
    if invitation.revoked_at is not None:
        return invitation
    previous = invitation_status(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(organisation=invitation.assessment.organisation, actor=actor, action="invitation.revoke", target=invitation.email,
          invitation_id=invitation.pk, previous_status=previous)
    return invitation


def _send_invitation(invitation: CandidateInvitation, site_url: str) -> None:
    assessment = invitation.assessment
    link = site_url.rstrip("/") + reverse("assessments:candidate", args=[invitation.token])
    _mail(f"{assessment.organisation.name}: {assessment.title}",
          f"Hello {invitation.label},\n\n{assessment.organisation.name} invites you to a timed assessment, "
          f"{assessment.title} ({assessment.time_limit_minutes} minutes once you start).\n\n"
          f"Start it from this link before {invitation.expires_at:%Y-%m-%d %H:%M} UTC:\n{link}\n\n"
          "The link is yours alone: it starts one session, and brings you back to it while the time lasts.\n", invitation.email)
    invitation.sent_at = timezone.now()
    invitation.send_count += 1
    invitation.save(update_fields=["sent_at", "send_count"])


def _mail(subject: str, body: str, to: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def _email(value: str) -> str:
    value = (value or "").strip()
    validate_email(value)
    return value.lower()


# -- the candidate's side ------------------------------------------------------------------------
def usable_invitation(invitation: CandidateInvitation) -> None:
    """Raises InvitationUnusable unless the link may start or resume a session now."""
    status = invitation_status(invitation)
    if status == CandidateInvitation.Status.REVOKED:
        raise InvitationUnusable("This invitation was withdrawn by the organisation.", reason="revoked")
    if status == CandidateInvitation.Status.EXPIRED:
        raise InvitationUnusable("This invitation link has expired.", reason="expired")
    if status == CandidateInvitation.Status.SUBMITTED:
        raise InvitationUnusable("This link was already used: the assessment has been handed in.", reason="used")


@transaction.atomic
def invitation_open(*, invitation: CandidateInvitation) -> CandidateInvitation:
    usable_invitation(invitation)
    if invitation.opened_at is None:
        CandidateInvitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now())
        invitation.refresh_from_db(fields=["opened_at"])
    return invitation


@transaction.atomic
def session_start(*, invitation: CandidateInvitation, consent: bool) -> CandidateSession:
    """Start the clock (once: a second start, from any browser, returns the same session)."""
    invitation = CandidateInvitation.objects.select_for_update().select_related("assessment").get(pk=invitation.pk)
    existing = CandidateSession.objects.filter(invitation=invitation).first()
    if existing is not None:
        usable_invitation(invitation)
        return existing
    usable_invitation(invitation)
    if not consent:
        raise ValidationError("Tick the consent box to start.")
    now = timezone.now()
    candidate = get_user_model().objects.create(username=f"candidate-{invitation.pk}-{secrets.token_hex(4)}",
                                                email=invitation.email, is_active=False)
    candidate.set_unusable_password()
    candidate.save(update_fields=["password"])
    session = CandidateSession.objects.create(invitation=invitation, candidate=candidate, consent_at=now, started_at=now,
                                              deadline=now + datetime.timedelta(minutes=invitation.assessment.time_limit_minutes))
    if invitation.opened_at is None:
        invitation.opened_at = now
        invitation.save(update_fields=["opened_at"])
    return session


def _open_session(session: CandidateSession) -> CandidateSession:
    session = CandidateSession.objects.select_for_update().select_related("invitation__assessment").get(pk=session.pk)
    if not session_is_open(session):
        raise SessionClosed(_closed_message(session))
    return session


def _closed_message(session: CandidateSession) -> str:
    if session.invitation.revoked_at is not None:
        return "This assessment was withdrawn by the organisation; your work saved before then is kept."
    if session.finished_at is not None and session.finished_at < session.deadline:
        return "You have handed this assessment in; nothing more can be changed. Your saved work is kept."
    return "Time is up: the server's clock passed your deadline, so this was not saved. Your work saved before then is kept."


@transaction.atomic
def work_save(*, session: CandidateSession, item: AssessmentItem, files: dict[str, str]) -> ItemWork:
    """Autosave: the files replace the item's draft, and the time since the last save is counted."""
    session = _open_session(session)
    _require_item(session, item)
    files = validate_files(files=_only_entry(item, files))
    now = timezone.now()
    work, _ = ItemWork.objects.select_for_update().get_or_create(session=session, item=item)
    if work.last_seen_at is not None:
        work.seconds_spent += int(min(max((now - work.last_seen_at).total_seconds(), 0), TIME_COUNTED_PER_SAVE_S))
    work.files, work.saved_at, work.last_seen_at = files, now, now
    work.save(update_fields=["files", "saved_at", "last_seen_at", "seconds_spent"])
    return work


def item_submit(*, session: CandidateSession, item: AssessmentItem, files: dict[str, str]) -> AssessmentSubmission:
    """Save (kept whatever follows), then grade through the one grading path on the assessment's device class."""
    work = work_save(session=session, item=item, files=files)
    with transaction.atomic():
        if work.submissions.count() >= MAX_SUBMISSIONS_PER_ITEM:
            raise ValidationError(f"You have submitted this item {MAX_SUBMISSIONS_PER_ITEM} times, the most it takes; "
                                  "your work is still saved, and the last submission counts.")
        submission_rate_check(user=work.session.candidate)  # the site's rate, as on every path (the hand-in is exempt)
        return _submit(work, automatic=False)


def _submit(work: ItemWork, *, automatic: bool) -> AssessmentSubmission:
    version = work.item.challenge_version
    challenge = version.challenge
    # code on the assessment's class; a written answer needs no particular device (any live class grades it)
    device_class = None if challenge.kind in ANSWER_KINDS else work.item.assessment.device_class
    submission = submission_create(user=work.session.candidate, challenge=challenge, files=work.files, device_class=device_class)
    if submission.challenge_version_id != version.pk:
        # The assessment pins the version it was built with; the task reads the row after this commit.
        submission.challenge_version = version
        submission.save(update_fields=["challenge_version"])
    return AssessmentSubmission.objects.create(work=work, submission=submission, automatic=automatic)


def _require_item(session: CandidateSession, item: AssessmentItem) -> None:
    if item.assessment_id != session.invitation.assessment_id:
        raise AssessmentItem.DoesNotExist("no such item in this assessment")


def _only_entry(item: AssessmentItem, files: dict[str, str]) -> dict[str, str]:
    """The item's entry file, and any others named like its starter files (the editor's tabs)."""
    version = item.challenge_version
    entry, names = version.entry_file, {version.entry_file, *version.starter_files}
    if not isinstance(files, dict) or entry not in files or not set(files) <= names:
        raise ValidationError(f"Send one file, {entry}." if names == {entry} else f"Send this item's files: {', '.join(sorted(names))} ({entry} at least).")
    return files


@transaction.atomic
def session_finish(*, session: CandidateSession) -> CandidateSession:
    """Hand in (the candidate) or close (the deadline passed): each item's last autosave that was
    never submitted, or changed since, is submitted for grading, so nothing saved is lost."""
    session = CandidateSession.objects.select_for_update().select_related("invitation__assessment").get(pk=session.pk)
    if session.finished_at is not None:
        return session
    session.finished_at = timezone.now()
    session.save(update_fields=["finished_at"])
    for work in session.works.select_related("item__challenge_version__challenge", "item__assessment").prefetch_related("submissions__submission"):
        latest = next(iter(work.submissions.all()), None)
        if work.files and any(work.files.values()) and (latest is None or latest.submission.files != work.files):
            try:
                with transaction.atomic():
                    _submit(work, automatic=True)
            except ValidationError as exc:  # no live worker: the draft stays saved, and the audit says so
                audit(organisation=session.invitation.assessment.organisation, actor=None, action="session.autosubmit_failed",
                      target=session.invitation.email, session_id=session.pk, item_id=work.item_id, reason=" ".join(exc.messages))
    return session


def session_close_if_due(*, session: CandidateSession) -> CandidateSession:
    """The deadline passed but nobody handed in: close it now (called whenever it is looked at)."""
    if session.finished_at is None and not session_is_open(session):
        return session_finish(session=session)
    return session


def sessions_close_due(*, assessment: Assessment) -> None:
    for session in CandidateSession.objects.filter(invitation__assessment=assessment, finished_at__isnull=True,
                                                   deadline__lte=timezone.now()).select_related("invitation"):
        session_close_if_due(session=session)


# -- reviewers and exports ---------------------------------------------------------------------
@transaction.atomic
def review_override(*, review: WrittenReview, mark_id: int, actor, points: float, reason: str):
    """A reviewer sets one criterion's points with a reason (reviews.services.criterion_override),
    and the organisation's audit log records it."""
    mark = CriterionMark.objects.filter(pk=mark_id, review=review).first()
    if mark is None:
        raise CriterionMark.DoesNotExist("no such criterion in this review")
    override = criterion_override(mark=mark, reviewer=actor, points=points, reason=reason)
    session = review.submission.assessment_link.work.session
    audit(organisation=session.invitation.assessment.organisation, actor=actor, action="review.override", target=session.invitation.email,
          session_id=session.pk, criterion=mark.criterion_id, previous_points=override.previous_points, points=override.points, reason=override.reason)
    return override


@transaction.atomic
def review_sign_off(*, review: WrittenReview, actor) -> WrittenReview:
    review = review_complete(review=review, reviewer=actor)
    session = review.submission.assessment_link.work.session
    audit(organisation=session.invitation.assessment.organisation, actor=actor, action="review.sign_off", target=session.invitation.email,
          session_id=session.pk, final_score=review.final_score)
    return review


def export_recorded(*, organisation: Organisation, actor, what: str, fmt: str, **detail) -> None:
    audit(organisation=organisation, actor=actor, action="report.export", target=what, format=fmt, **detail)
