"""Reads for assessments. Every object a member asks for is looked up through the member's
organisations (404 for anyone else, 403 for a member whose role does not allow the action);
a candidate reaches only their own invitation, by its token."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet

from assessments.models import (Assessment, AssessmentSubmission, AuditEntry, CandidateInvitation, CandidateSession,
                                ItemWork, Membership, Organisation, Role)
from reviews.models import WrittenReview

VIEW = (Role.OWNER, Role.RECRUITER, Role.REVIEWER)  # reports, comparison, exports
MANAGE = (Role.OWNER, Role.RECRUITER)               # build assessments, invite, resend, revoke
REVIEW = (Role.OWNER, Role.REVIEWER)                # override written-answer criteria
OWNER = (Role.OWNER,)                               # members


def role_in(*, user, organisation: Organisation) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.filter(organisation=organisation, user=user).values_list("role", flat=True).first()


def _check(role: str | None, roles: tuple) -> None:
    if role not in roles:
        raise PermissionDenied("Your role in this organisation does not allow this.")


def organisations_for(*, user) -> QuerySet[Organisation]:
    if not getattr(user, "is_authenticated", False):
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_for_member(*, user, slug: str, roles: tuple = VIEW) -> Organisation:
    """Raises Organisation.DoesNotExist for a non-member, PermissionDenied for a role that may not."""
    organisation = organisations_for(user=user).get(slug=slug)
    _check(role_in(user=user, organisation=organisation), roles)
    return organisation


def assessment_for_member(*, user, assessment_id, roles: tuple = VIEW) -> Assessment:
    assessment = (Assessment.objects.select_related("organisation")
                  .prefetch_related("items__challenge_version__challenge")
                  .get(pk=_int(assessment_id), organisation__in=organisations_for(user=user)))
    _check(role_in(user=user, organisation=assessment.organisation), roles)
    return assessment


def invitation_for_member(*, user, invitation_id, roles: tuple = VIEW) -> CandidateInvitation:
    invitation = (CandidateInvitation.objects.select_related("assessment__organisation")
                  .get(pk=_int(invitation_id), assessment__organisation__in=organisations_for(user=user)))
    _check(role_in(user=user, organisation=invitation.assessment.organisation), roles)
    return invitation


def session_for_member(*, user, session_id, roles: tuple = VIEW) -> CandidateSession:
    session = (CandidateSession.objects.select_related("invitation__assessment__organisation", "candidate")
               .get(pk=_int(session_id), invitation__assessment__organisation__in=organisations_for(user=user)))
    _check(role_in(user=user, organisation=session.invitation.assessment.organisation), roles)
    return session


def review_for_member(*, user, review_id, roles: tuple = REVIEW) -> WrittenReview:
    """A written answer's review, if it belongs to a session of the member's organisation."""
    review = (WrittenReview.objects.select_related("submission__assessment_link__work__session__invitation__assessment__organisation",
                                                   "submission__challenge_version__challenge")
              .prefetch_related("marks__overrides__reviewer")
              .get(pk=_int(review_id), submission__assessment_link__work__session__invitation__assessment__organisation__in=organisations_for(user=user)))
    _check(role_in(user=user, organisation=organisation_of_review(review)), roles)
    return review


def organisation_of_review(review: WrittenReview) -> Organisation | None:
    link = AssessmentSubmission.objects.filter(submission_id=review.submission_id).select_related(
        "work__session__invitation__assessment__organisation").first()
    return link.work.session.invitation.assessment.organisation if link else None


def invitation_by_token(*, token: str) -> CandidateInvitation:
    """The candidate's own invitation; raises CandidateInvitation.DoesNotExist for any other string."""
    if not isinstance(token, str) or not 20 <= len(token) <= 64:
        raise CandidateInvitation.DoesNotExist("no such invitation")
    return (CandidateInvitation.objects.select_related("assessment__organisation")
            .prefetch_related("assessment__items__challenge_version__challenge").get(token=token))


def assessment_list(*, organisation: Organisation) -> QuerySet[Assessment]:
    return organisation.assessments.prefetch_related("items__challenge_version__challenge", "invitations")


def invitation_list(*, assessment: Assessment) -> QuerySet[CandidateInvitation]:
    return assessment.invitations.select_related("session").order_by("created_at")


def session_list(*, assessment: Assessment) -> QuerySet[CandidateSession]:
    return CandidateSession.objects.filter(invitation__assessment=assessment).select_related("invitation", "candidate")


def works_of(*, session: CandidateSession) -> list[ItemWork]:
    """The session's work per item, every item included (an untouched one as an unsaved row)."""
    latest = AssessmentSubmission.objects.select_related("submission__result", "submission__written_review").order_by("-created_at")
    saved = {w.item_id: w for w in session.works.prefetch_related(Prefetch("submissions", queryset=latest))}
    items = session.invitation.assessment.items.select_related("challenge_version__challenge")
    return [saved.get(item.pk) or ItemWork(session=session, item=item) for item in items]


def latest_submission(work: ItemWork):
    if work.pk is None:
        return None
    link = next(iter(work.submissions.all()), None)
    return link.submission if link else None


def pending_reviews(*, organisation: Organisation) -> QuerySet[WrittenReview]:
    """The organisation's written answers the grader was unsure of, least certain first."""
    return (WrittenReview.objects.filter(status=WrittenReview.Status.PENDING,
                                         submission__assessment_link__work__session__invitation__assessment__organisation=organisation)
            .select_related("submission__challenge_version__challenge", "submission__assessment_link__work__session__invitation")
            .order_by("-uncertainty", "created_at"))


def audit_log(*, organisation: Organisation) -> QuerySet[AuditEntry]:
    return organisation.audit_entries.select_related("actor")


def members_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__username")


def _int(value) -> int:
    """Object ids from URLs and JSON: anything but a plain integer finds nothing."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        raise CandidateInvitation.DoesNotExist("no such object") from None
    if number < 1 or number > 2**62:
        raise CandidateInvitation.DoesNotExist("no such object")
    return number
