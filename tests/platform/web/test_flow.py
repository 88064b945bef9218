"""The web flow: sign up, log in, open a challenge, submit, see the graded result."""
import re

import pytest
from django.urls import reverse

from submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def test_signup_logs_the_new_user_in(client):
    response = client.post(reverse("signup"), {"username": "ada", "email": "ada@example.com", "password1": "a-long-Passphrase-42", "password2": "a-long-Passphrase-42"})
    assert response.status_code == 302
    assert client.get(reverse("catalog")).context["user"].username == "ada"


def test_log_in_submit_and_see_the_result(client, user, vector_add, eager_grading):
    assert client.post(reverse("login"), {"username": user.username, "password": "correct-horse-battery"}).status_code == 302
    page = client.get(reverse("challenge", args=["vector-add"]))
    assert b"Add two vectors" in page.content and b"<h1>Add two vectors</h1>" in page.content

    response = client.post(reverse("challenge", args=["vector-add"]), {"code": "def add(a, b):\n    print('hello from the candidate')\n    return a + b\n"})
    assert response.status_code == 302
    submission = Submission.objects.get(user=user)
    assert response["Location"] == reverse("submission", args=[submission.pk])

    result_page = client.get(response["Location"])
    text = result_page.content.decode()
    assert submission.__class__.objects.get(pk=submission.pk).status == "graded"
    assert "accepted" in text.lower()
    assert "correctness" in text and "latency" in text
    assert re.search(r"speedup <strong>[\d.]+×", text)
    assert "hello from the candidate" in text  # the candidate's output is shown
    assert 'http-equiv="refresh"' not in text  # graded: no more refreshing


def test_wrong_submission_shows_its_verdict_and_reason(client, user, vector_add, eager_grading):
    client.force_login(user)
    client.post(reverse("challenge", args=["vector-add"]), {"code": "def add(a, b):\n    return a * b\n"})
    text = client.get(reverse("submission", args=[Submission.objects.get(user=user).pk])).content.decode()
    assert "wrong answer" in text and "rel error" in text


def test_queued_submission_page_refreshes(client, user, vector_add):
    client.force_login(user)
    submission = Submission.objects.create(user=user, challenge_version=vector_add.current_version, files={"solution.py": "x"})
    text = client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert 'http-equiv="refresh"' in text and "queued" in text


def test_upload_a_file(client, user, vector_add, eager_grading):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(user)
    upload = SimpleUploadedFile("mine.py", b"def add(a, b):\n    return a + b\n")
    assert client.post(reverse("challenge", args=["vector-add"]), {"code": "", "upload": upload}).status_code == 302
    assert Submission.objects.get(user=user).files == {"solution.py": "def add(a, b):\n    return a + b\n"}


@pytest.mark.parametrize("payload, error", [
    ({"code": "   "}, "Paste your code"),
    ({"code": "x\x00y"}, "Null characters are not allowed"),
    ({"code": "x" * ((1 << 20) + 1)}, "solution.py is larger than 1024 KiB."),  # the same validator as the API and the pipeline
])
def test_bad_submissions_are_refused_with_a_reason(client, user, vector_add, payload, error):
    client.force_login(user)
    response = client.post(reverse("challenge", args=["vector-add"]), payload)
    assert response.status_code == 200 and error in response.content.decode()
    assert not Submission.objects.exists()


def test_anonymous_submit_redirects_to_login(client, vector_add):
    response = client.post(reverse("challenge", args=["vector-add"]), {"code": "def add(a, b): return a + b"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_other_users_submissions_are_not_visible(client, user, vector_add):
    from tests.factories import UserFactory

    submission = Submission.objects.create(user=UserFactory(), challenge_version=vector_add.current_version, files={"solution.py": "x"})
    client.force_login(user)
    assert client.get(reverse("submission", args=[submission.pk])).status_code == 404


def _solved(user, challenge, verdict: str = "accepted"):
    from tests.factories import ResultFactory, SubmissionFactory

    ResultFactory(submission=SubmissionFactory(user=user, challenge_version=challenge.current_version), verdict=verdict)


def _editorial(client):
    return client.get(reverse("challenge_editorial", args=["vector-add"]))


EDITORIAL_TEXT = "memory-bound"  # a phrase of tests/fixtures/challenges/vector-add/editorial.md


def _locked(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("challenge", args=["vector-add"])


def test_the_editorial_is_locked_before_solving(client, user, vector_add):
    from tests.factories import UserFactory

    assert _editorial(client).status_code == 302  # anonymous
    client.force_login(user)
    assert _locked(_editorial(client))
    for verdict in ("wrong_answer", "rejected", "internal_error", "time_limit_exceeded"):
        _solved(user, vector_add, verdict)
        assert _locked(_editorial(client)), f"a {verdict} submission opened the editorial"
    _solved(UserFactory(), vector_add)  # someone else's accepted submission opens nothing for this user
    response = _editorial(client)
    assert _locked(response) and EDITORIAL_TEXT not in response.content.decode()


def test_the_editorial_opens_after_an_accepted_submission(client, user, vector_add):
    client.force_login(user)
    _solved(user, vector_add, "wrong_answer")
    _solved(user, vector_add)
    response = _editorial(client)
    assert response.status_code == 200 and EDITORIAL_TEXT in response.content.decode()


def test_staff_read_the_editorial_without_solving(client, vector_add):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))
    response = _editorial(client)
    assert response.status_code == 200 and EDITORIAL_TEXT in response.content.decode()
