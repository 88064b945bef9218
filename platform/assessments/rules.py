"""The rules of a candidate's time, each in one place: whether a session is still open, how long
it has left, what an invitation's status is. Services, selectors, views and the API ask these."""
from __future__ import annotations

import datetime

from django.utils import timezone

from assessments.models import CandidateInvitation, CandidateSession

Status = CandidateInvitation.Status


def session_is_open(session: CandidateSession, *, now: datetime.datetime | None = None) -> bool:
    """Work may be saved and submitted: started, not handed in, and the server's clock is before
    the deadline fixed at the start. The invitation being revoked closes it too."""
    now = now or timezone.now()
    return session.finished_at is None and now < session.deadline and session.invitation.revoked_at is None


def seconds_left(session: CandidateSession, *, now: datetime.datetime | None = None) -> int:
    """Whole seconds until the deadline (0 once closed), from the server's clock."""
    if not session_is_open(session, now=now):
        return 0
    return max(0, int((session.deadline - (now or timezone.now())).total_seconds()))


def session_ended_at(session: CandidateSession) -> datetime.datetime | None:
    """When work stopped: handed in, or the deadline (if it passed first)."""
    if session.finished_at is not None:
        return min(session.finished_at, session.deadline)
    return None


def invitation_status(invitation: CandidateInvitation, *, now: datetime.datetime | None = None) -> str:
    """sent, opened, started, submitted, expired or revoked (revoked wins; a started session is
    never 'expired': its own deadline governs it)."""
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return Status.REVOKED
    session = getattr(invitation, "session", None) if _has_session(invitation) else None
    if session is not None:
        return Status.SUBMITTED if (session.finished_at is not None or now >= session.deadline) else Status.STARTED
    if now >= invitation.expires_at:
        return Status.EXPIRED
    return Status.OPENED if invitation.opened_at else Status.SENT


def _has_session(invitation: CandidateInvitation) -> bool:
    try:
        invitation.session  # noqa: B018 - a reverse one-to-one raises when absent
    except CandidateSession.DoesNotExist:
        return False
    return True
