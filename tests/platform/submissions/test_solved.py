""""Solved" means reaching the challenge's first target tier, not merely a correct answer."""
import pytest

from graders.result import GradeResult
from submissions.models import Submission
from submissions.rules import result_solves
from submissions.selectors import is_solved, solved_challenge_ids
from submissions.services import submission_record_result
from tests.factories import ChallengeVersionFactory, ResultFactory, SubmissionFactory, UserFactory


@pytest.mark.parametrize("verdict, metrics, solved", [
    ("accepted", {"speedup": 0.4, "tier": 0}, False),          # correct, but short of the first tier
    ("accepted", {"speedup": 0.6, "tier": 1}, True),
    ("accepted", {"speedup": 2.0, "tier": 2}, True),
    ("wrong_answer", {"speedup": None, "tier": None}, False),
    ("accepted", {"speedup": None, "tier": None}, False),     # no tier figure: not reached
    ("accepted", {"tier": True}, False),                       # not a count
    ("accepted", {"rubric": {"needs_review": False}}, True),  # an answer kind: the pass mark is its tier
    ("accepted", {"rubric": {"needs_review": True}}, False),  # awaiting review: not yet
    ("accepted", None, True),
])
def test_the_solved_rule(verdict, metrics, solved):
    assert result_solves(verdict=verdict, metrics=metrics) is solved


@pytest.mark.django_db
def test_recording_a_result_stores_whether_it_solves_and_the_selectors_read_it():
    user = UserFactory()
    version = ChallengeVersionFactory()
    other = ChallengeVersionFactory()
    below = SubmissionFactory(user=user, challenge_version=version, status=Submission.Status.RUNNING)
    submission_record_result(submission=below, result=GradeResult(verdict="accepted", score=40.0, metrics={"speedup": 0.4, "tier": 0}))
    assert below.result.solved is False
    assert not is_solved(user=user, challenge=version.challenge) and solved_challenge_ids(user=user) == set()

    reached = SubmissionFactory(user=user, challenge_version=version, status=Submission.Status.RUNNING)
    submission_record_result(submission=reached, result=GradeResult(verdict="accepted", score=70.0, metrics={"speedup": 0.6, "tier": 1}))
    ResultFactory(submission__user=user, submission__challenge_version=other, verdict="wrong_answer")
    assert is_solved(user=user, challenge=version.challenge)
    assert solved_challenge_ids(user=user) == {version.challenge_id}
    assert solved_challenge_ids(user=UserFactory()) == set()


@pytest.mark.django_db
def test_anonymous_users_have_solved_nothing():
    from django.contrib.auth.models import AnonymousUser

    version = ChallengeVersionFactory()
    assert solved_challenge_ids(user=AnonymousUser()) == set()
    assert is_solved(user=AnonymousUser(), challenge=version.challenge) is False


@pytest.mark.django_db
def test_a_result_awaiting_review_shows_so_instead_of_a_verdict():
    result = ResultFactory(verdict="accepted", metrics={"rubric": {"needs_review": True}})
    assert result.awaiting_review and result.display_verdict == "awaiting review" and not result.solved
    assert ResultFactory(verdict="wrong_answer").display_verdict == "wrong answer"
