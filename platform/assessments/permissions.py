"""An organisation's owners and reviewers may review the written answers of its own candidates
(reviews.services checks this through its permission registry; staff always may)."""
from __future__ import annotations


def org_reviewer_may_review(user, review) -> bool:
    from assessments.models import AssessmentSubmission, Membership, Role

    link = (AssessmentSubmission.objects.filter(submission_id=review.submission_id)
            .values_list("work__session__invitation__assessment__organisation_id", flat=True).first())
    if link is None:
        return False
    return Membership.objects.filter(organisation_id=link, user=user, role__in=(Role.OWNER, Role.REVIEWER)).exists()


def register_review_permission() -> None:
    from reviews.services import register_review_permission as register

    register(org_reviewer_may_review)
