"""Drafts: saved per user and challenge through the editor's JSON endpoint, restored on the next
visit and in another browser, reset to the starter files; nobody reaches another user's draft
or another candidate's session work; bad drafts are refused with a reason, never a traceback."""
import json

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import CandidateSession, ItemWork
from drafts.models import Draft
from tests.factories import AssessmentFactory, AssessmentItemFactory, CandidateInvitationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

MINE = {"solution.py": "def predict(frame, resolution, width):\n    return 'mine'\n", "model.py": "MEAN = STD = 0\n"}


def _save(client, slug, files, **headers):
    return client.post(reverse("draft", args=[slug]), json.dumps({"files": files}), content_type="application/json", **headers)


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_saved_draft_opens_on_the_next_visit_and_in_another_browser(user, resnet):
    first = _login(user)
    response = _save(first, "resnet50-latency", MINE)
    assert response.status_code == 200 and response.json()["saved"] is True
    assert Draft.objects.get(user=user, challenge=resnet).files == MINE

    for browser in (first, _login(user)):  # the same session again, and a second browser (a new session)
        page = browser.get(reverse("challenge", args=["resnet50-latency"])).content.decode()
        assert "return &#x27;mine&#x27;" in page and "MEAN = STD = 0" in page
        assert 'data-file="solution.py"' in page and 'data-file="model.py"' in page
        assert 'id="editor-source"' in page  # says it is the draft
        assert browser.get(reverse("draft", args=["resnet50-latency"])).json()["files"] == MINE


def test_without_a_draft_the_editor_opens_the_starter_files_one_tab_each(user, resnet):
    page = _login(user).get(reverse("challenge", args=["resnet50-latency"])).content.decode()
    starter = resnet.current_version.starter_files
    assert page.index('data-file="solution.py"') < page.index('data-file="model.py"')  # the entry file first
    assert 'name="code"' in page and 'name="file:model.py"' in page  # a textarea per file: the form works without JS
    assert "from model import MEAN, STD, build_model" in page and "def build_model" in page
    assert set(starter) == {"solution.py", "model.py"}


def test_reset_deletes_the_draft_and_gives_back_the_starter_files(user, resnet):
    client = _login(user)
    _save(client, "resnet50-latency", MINE)
    response = client.delete(reverse("draft", args=["resnet50-latency"]))
    assert response.status_code == 200 and response.json()["files"]["solution.py"] == resnet.current_version.starter_files["solution.py"]
    assert not Draft.objects.exists()
    assert "return &#x27;mine&#x27;" not in client.get(reverse("challenge", args=["resnet50-latency"])).content.decode()


def test_a_draft_is_only_its_owner_s(user, resnet):
    _save(_login(user), "resnet50-latency", MINE)
    other = _login(UserFactory())
    assert other.get(reverse("draft", args=["resnet50-latency"])).json()["source"] == "starter"
    assert "return &#x27;mine&#x27;" not in other.get(reverse("challenge", args=["resnet50-latency"])).content.decode()
    assert "mine" not in other.get(reverse("draft_download", args=["resnet50-latency"])).content.decode("latin-1")
    other.delete(reverse("draft", args=["resnet50-latency"]))  # deletes only the caller's (none)
    _save(other, "resnet50-latency", {"solution.py": "theirs"})
    assert Draft.objects.get(user=user).files == MINE and Draft.objects.count() == 2


def test_anonymous_visitors_get_no_draft(resnet):
    anonymous = Client()
    assert anonymous.get(reverse("draft", args=["resnet50-latency"])).status_code == 403
    assert _save(anonymous, "resnet50-latency", MINE).status_code == 403
    assert anonymous.post(reverse("draft_upload", args=["resnet50-latency"])).status_code == 403
    assert anonymous.get(reverse("draft_download", args=["resnet50-latency"])).status_code == 404
    assert not Draft.objects.exists()


def test_saving_needs_the_csrf_token(user, resnet):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert _save(client, "resnet50-latency", MINE).status_code == 403
    assert client.delete(reverse("draft", args=["resnet50-latency"])).status_code == 403
    assert not Draft.objects.exists()
    client.get(reverse("challenge", args=["resnet50-latency"]))  # the page sets the cookie the script reads the token from
    assert _save(client, "resnet50-latency", MINE, HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value).status_code == 200


@pytest.mark.parametrize("body, message", [
    ({"files": {"solution.py": "x" * ((1 << 20) + 1)}}, "larger than 1024 KiB"),
    ({"files": {f"f{n}.py": "x" for n in range(17)}}, "at most 16 files"),
    ({"files": {"../solution.py": "x"}}, "not allowed"),
    ({"files": {"solution.py": "x", "helper.py": "y"}}, "Unexpected file 'helper.py'"),
    ({"files": {"model.py": "x"}}, "needs its entry file"),
    ({"files": {"solution.py": "a\x00b"}}, "NUL"),
    ({"files": {"solution.py": 7}}, "must be text"),
    ({"files": ["solution.py"]}, "Submit at least one file"),
    ({"nothing": 1}, "Submit at least one file"),
    ("not json", "Send JSON"),
])
def test_bad_drafts_are_refused_with_a_reason(user, resnet, body, message):
    client = _login(user)
    payload = body if isinstance(body, str) else json.dumps(body)
    response = client.post(reverse("draft", args=["resnet50-latency"]), payload, content_type="application/json")
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not Draft.objects.exists()


def test_an_unknown_challenge_is_a_404(user):
    assert _save(_login(user), "no-such-challenge", MINE).status_code == 404


# -- an assessment session's draft is its own work (assessments.ItemWork) --------------------------
@pytest.fixture
def two_candidates(resnet):
    assessment = AssessmentFactory(organisation=OrganisationFactory(), time_limit_minutes=30)
    item = AssessmentItemFactory(assessment=assessment, challenge_version=resnet.current_version, position=0)
    candidates = []
    for _ in range(2):
        invitation = CandidateInvitationFactory(assessment=assessment)
        client = Client()
        client.get(reverse("assessments:candidate", args=[invitation.token]))
        client.post(reverse("assessments:candidate_start", args=[invitation.token]), {"consent": "yes"})
        candidates.append((client, invitation))
    return item, candidates


def test_a_session_draft_holds_every_file_and_stays_the_candidate_s_own(two_candidates):
    item, [(alice, alice_invite), (bob, bob_invite)] = two_candidates
    save = reverse("assessments:candidate_save", args=[alice_invite.token, item.pk])
    assert alice.post(save, {"code": MINE["solution.py"], "file:model.py": MINE["model.py"]}).status_code == 200
    alice_session = CandidateSession.objects.get(invitation=alice_invite)
    assert ItemWork.objects.get(session=alice_session, item=item).files == MINE

    item_page = reverse("assessments:candidate_item", args=[alice_invite.token, item.pk])
    restored = Client().get(item_page).content.decode()  # another browser: the token is the key
    assert 'data-file="model.py"' in restored and "MEAN = STD = 0" in restored

    bob_page = bob.get(reverse("assessments:candidate_item", args=[bob_invite.token, item.pk])).content.decode()
    assert "return &#x27;mine&#x27;" not in bob_page and "def build_model" in bob_page  # Bob sees the starter files
    bob.post(reverse("assessments:candidate_save", args=[bob_invite.token, item.pk]), {"code": "bob's"})
    assert ItemWork.objects.get(session=alice_session, item=item).files == MINE
    assert not Draft.objects.exists()  # session work never lands in a practice draft


def test_a_session_draft_refuses_names_the_item_does_not_take(two_candidates):
    item, [(alice, invite), _] = two_candidates
    response = alice.post(reverse("assessments:candidate_save", args=[invite.token, item.pk]), {"code": "x", "file:helper.py": "y"})
    assert response.status_code == 400 and "model.py, solution.py" in response.json()["detail"]


def test_a_body_past_the_request_limit_is_a_413_json(user, resnet, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _save(_login(user), "resnet50-latency", {"solution.py": "x" * 2000})
    assert response.status_code == 413 and "larger than the submission limits" in response.json()["detail"]
    assert not Draft.objects.exists()
