"""An organisation's whole world of rows, built with factories (graded rows, no grading run)."""
from __future__ import annotations

from tests.factories import (AssessmentFactory, AssessmentItemFactory, AssessmentSubmissionFactory, CandidateInvitationFactory,
                             CandidateSessionFactory, ChallengeFactory, ChallengeVersionFactory, CriterionMarkFactory,
                             ItemWorkFactory, ResultFactory, WrittenReviewFactory)


def build(org, *, candidates: int = 1) -> dict:
    assessment = AssessmentFactory(organisation=org)
    code = AssessmentItemFactory(assessment=assessment, challenge_version=ChallengeVersionFactory(challenge=ChallengeFactory(slug=f"{org.slug}-code")))
    written = AssessmentItemFactory(assessment=assessment, challenge_version=ChallengeVersionFactory(
        challenge=ChallengeFactory(slug=f"{org.slug}-written", kind="written"), entry_file="answer.md"))
    world = {"assessment": assessment, "items": [code, written], "sessions": [], "invitations": [], "submissions": [], "reviews": [], "marks": []}
    for n in range(candidates):
        session = CandidateSessionFactory(invitation=CandidateInvitationFactory(assessment=assessment, name=f"{org.slug} candidate {n}"))
        world["sessions"].append(session)
        world["invitations"].append(session.invitation)
        for item in (code, written):
            link = AssessmentSubmissionFactory(work=ItemWorkFactory(session=session, item=item))
            world["submissions"].append(link.submission)
            ResultFactory(submission=link.submission)
        review = WrittenReviewFactory(submission=link.submission)
        world["reviews"].append(review)
        world["marks"].append(CriterionMarkFactory(review=review))
    world["pending_invitation"] = CandidateInvitationFactory(assessment=assessment)
    return world
