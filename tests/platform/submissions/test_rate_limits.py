"""One submission rate (submissions.rate_limits, HOTPATH_SUBMISSION_RATE) on every path: the web
form, the API (and so the CLI), an assessment session and a contest, counted together."""
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.rate_limits import SubmissionRateLimited, submission_rate, submission_rate_check
from tests.factories import (AssessmentItemFactory, CandidateSessionFactory, ContestChallengeFactory, ContestFactory,
                             ParticipantFactory, SubmissionFactory, UserFactory)
from tests.platform.hotpath_cli.conftest import cli_env, run_cli, token_env, workdir  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
CODE = "import torch\n\ndef add(a, b):\n    return a + b\n"


@pytest.fixture(autouse=True)
def three_a_minute(settings, monkeypatch):
    settings.HOTPATH_SUBMISSION_RATE = "3/minute"
    from submissions.tasks import grade_submission

    monkeypatch.setattr(grade_submission, "apply_async", lambda *a, **k: None)  # queued, never graded here


def used_up(user, challenge) -> None:
    SubmissionFactory.create_batch(3, user=user, challenge_version=challenge.current_version, status=Submission.Status.QUEUED)


def test_the_rule_counts_the_users_submissions_within_the_period(user, vector_add):
    submission_rate_check(user=user)
    used_up(user, vector_add)
    with pytest.raises(SubmissionRateLimited) as refused:
        submission_rate_check(user=user)
    assert "3 submissions in the last minute" in refused.value.messages[0] and 0 < refused.value.retry_after_s <= 60
    submission_rate_check(user=UserFactory())  # another user is not limited by this one
    Submission.objects.filter(user=user).update(created_at=timezone.now() - timedelta(seconds=61))
    submission_rate_check(user=user)  # older than the period: no longer counted


@pytest.mark.parametrize("bad", ["30", "x/minute", "0/minute", "30/fortnight"])
def test_a_malformed_rate_is_a_configuration_error(settings, bad):
    settings.HOTPATH_SUBMISSION_RATE = bad
    with pytest.raises(ImproperlyConfigured, match="HOTPATH_SUBMISSION_RATE"):
        submission_rate()


def test_web_form_refuses_past_the_rate(user, vector_add):
    client = Client()
    client.force_login(user)
    url = reverse("challenge", args=["vector-add"])
    for _ in range(3):
        assert client.post(url, {"code": CODE, "device_class": "cpu"}).status_code == 302
    refused = client.post(url, {"code": CODE, "device_class": "cpu"})
    assert refused.status_code == 200 and "3 submissions in the last minute" in refused.content.decode()
    assert Submission.objects.filter(user=user).count() == 3


def test_api_refuses_past_the_rate_with_429_and_retry_after(user, vector_add):
    used_up(user, vector_add)
    client = APIClient()
    client.force_authenticate(user)
    refused = client.post("/api/submissions/", {"challenge": "vector-add", "files": {"solution.py": CODE}}, format="json")
    assert refused.status_code == 429 and "try again in" in refused.json()["detail"]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert Submission.objects.filter(user=user).count() == 3


def test_the_cli_is_refused_through_the_api(token_env, workdir, user, vector_add):  # noqa: F811
    used_up(user, vector_add)
    (workdir / "solution.py").write_text(CODE)
    refused = run_cli("submit", "vector-add", str(workdir / "solution.py"), env=token_env)
    assert refused.returncode != 0 and "try again in" in refused.stdout + refused.stderr
    assert Submission.objects.filter(user=user).count() == 3


def test_an_assessment_submit_is_refused_but_the_work_is_saved(vector_add):
    item = AssessmentItemFactory(challenge_version=vector_add.current_version)
    session = CandidateSessionFactory(invitation__assessment=item.assessment)
    used_up(session.candidate, vector_add)  # made on the practice pages: one rate for every path
    url = reverse("assessments:candidate_item", args=[session.invitation.token, item.pk])
    page = Client().post(url, {"code": CODE}, follow=True)
    assert "3 submissions in the last minute" in page.content.decode()
    assert Submission.objects.filter(user=session.candidate).count() == 3
    assert session.works.get(item=item).files == {"solution.py": CODE}


def test_a_contest_submit_is_refused(user, vector_add):
    contest = ContestFactory()
    ContestChallengeFactory(contest=contest, challenge=vector_add)
    ParticipantFactory(contest=contest, user=user)
    used_up(user, vector_add)
    client = Client()
    client.force_login(user)
    page = client.post(reverse("contest_submit", args=[contest.slug]), {"challenge": "vector-add", "code": CODE}, follow=True)
    assert "3 submissions in the last minute" in page.content.decode()
    assert Submission.objects.filter(user=user).count() == 3
