"""The profile page: solved challenges, recent submissions, leaderboard ranks (web/selectors.py),
linked from the site header."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ChallengeVersionFactory, ResultFactory, SubmissionFactory, UserFactory, UserTotalFactory
from web.selectors import RECENT_SUBMISSIONS, global_standings, profile_summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_challenges(db):
    return ChallengeVersionFactory(challenge__slug="warm-up", challenge__title="Warm up"), ChallengeVersionFactory(challenge__slug="hard-one")


def _graded(user, version, *, score: float, tier: int, when=None):
    submission = SubmissionFactory(user=user, challenge_version=version)
    if when:
        type(submission).objects.filter(pk=submission.pk).update(created_at=when)
    ResultFactory(submission=submission, score=score, metrics={"speedup": 1.5, "tier": tier})
    return submission


def test_solved_challenges_recent_submissions_and_ranks(client, user, two_challenges):
    warm, hard = two_challenges
    earlier = timezone.now() - datetime.timedelta(days=2)
    first = _graded(user, warm, score=70.0, tier=1, when=earlier)
    _graded(user, warm, score=90.0, tier=2)
    _graded(user, hard, score=40.0, tier=0)  # correct, below the first tier: not solved
    _graded(UserFactory(), warm, score=95.0, tier=2)  # a rival ahead on warm-up; the boards follow the results (leaderboards.signals)

    client.force_login(user)
    response = client.get(reverse("profile"))
    text = response.content.decode()
    assert [c.slug for c in response.context["solved"]] == ["warm-up"]
    assert response.context["solved"][0].best_score == 90.0 and response.context["solved"][0].first_solved_at == earlier
    assert 'id="solved-count">1<' in text and 'href="/challenges/warm-up/"' in text
    assert len(response.context["recent"]) == 3 and response.context["recent"][0].created_at > earlier  # newest first
    standings = [(s.challenge_slug, s.rank, s.of) for s in response.context["challenge_standings"]]
    assert standings == [("hard-one", 1, 1), ("warm-up", 2, 2)]  # best rank first
    assert "2 of 2" in text and 'data-challenge="warm-up"' in text
    [overall] = response.context["global_standings"]
    assert (overall.device_class, overall.rank, overall.of, overall.score) == ("cpu", 1, 2, 130.0)  # 90 + 40 against 95
    assert "rank <strong>1</strong> of 2" in text

def test_a_new_user_is_told_what_to_do_next(client, user):
    client.force_login(user)
    text = client.get(reverse("profile")).content.decode()
    assert "Not on any board yet" in text and "None yet." in text and "Nothing yet" in text


def test_recent_submissions_are_capped_and_only_the_users_own(user, two_challenges):
    warm, _ = two_challenges
    for _ in range(RECENT_SUBMISSIONS + 2):
        _graded(user, warm, score=10.0, tier=0)
    _graded(UserFactory(), warm, score=99.0, tier=2)
    summary = profile_summary(user=user)
    assert len(summary["recent"]) == RECENT_SUBMISSIONS and summary["attempts"] == RECENT_SUBMISSIONS + 2
    assert {s.user_id for s in summary["recent"]} == {user.pk} and summary["solved"] == []


def test_ties_on_the_global_board_go_to_who_got_there_first(user):
    early, late = timezone.now() - datetime.timedelta(hours=1), timezone.now()
    UserTotalFactory(user=user, total_score=50.0, challenges=1, last_improved_at=late)
    UserTotalFactory(user=UserFactory(), total_score=50.0, challenges=1, last_improved_at=early)
    UserTotalFactory(user=UserFactory(), total_score=10.0, challenges=1)
    assert [(s.rank, s.of) for s in global_standings(user=user)] == [(2, 3)]


def test_the_header_links_to_the_profile_when_logged_in(client, user):
    assert 'id="profile-link"' not in client.get(reverse("catalog")).content.decode()
    client.force_login(user)
    assert f'href="{reverse("profile")}" id="profile-link">' in client.get(reverse("catalog")).content.decode()
    assert f'href="{reverse("profile")}" id="profile-link" aria-current="page">' in client.get(reverse("profile")).content.decode()
    client.logout()
    assert client.get(reverse("profile")).status_code == 302
