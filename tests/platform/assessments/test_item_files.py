"""The item page's editor can read an upload (files or a zip, under the practice editor's rules)
and download the saved work as a zip, through the candidate's link alone (no account)."""
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.models import CandidateSession
from tests.factories import AssessmentFactory, AssessmentItemFactory, CandidateInvitationFactory

pytestmark = pytest.mark.django_db
ANSWER = "def add(a, b):\n    return a + b\n"


@pytest.fixture
def started(acme, vector_add):
    assessment = AssessmentFactory(organisation=acme["org"], time_limit_minutes=20)
    item = AssessmentItemFactory(assessment=assessment, challenge_version=vector_add.current_version, position=0)
    invitation = CandidateInvitationFactory(assessment=assessment)
    candidate = Client()
    candidate.get(reverse("assessments:candidate", args=[invitation.token]))
    candidate.post(reverse("assessments:candidate_start", args=[invitation.token]), {"consent": "yes"})
    return candidate, invitation, item


def _url(name, invitation, item):
    return reverse(f"assessments:{name}", args=[invitation.token, item.pk])


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_item_page_offers_uploads_and_a_download(started):
    candidate, invitation, item = started
    page = candidate.get(reverse("assessments:candidate_item", args=[invitation.token, item.pk])).content.decode()
    assert f'data-upload-url="{_url("candidate_upload", invitation, item)}"' in page
    assert f'href="{_url("candidate_download", invitation, item)}"' in page


def test_a_zip_upload_comes_back_as_files_and_a_bad_one_is_refused(started):
    candidate, invitation, item = started
    good = candidate.post(_url("candidate_upload", invitation, item), {"upload": SimpleUploadedFile("work.zip", _zip({"solution.py": ANSWER}))})
    assert good.status_code == 200 and good.json()["files"] == {"solution.py": ANSWER}
    sneaky = candidate.post(_url("candidate_upload", invitation, item), {"upload": SimpleUploadedFile("work.zip", _zip({"../solution.py": ANSWER}))})
    assert sneaky.status_code == 400 and sneaky.json()["detail"]
    empty = candidate.post(_url("candidate_upload", invitation, item), {})
    assert empty.status_code == 400 and "Choose files" in empty.json()["detail"]


def test_the_download_holds_the_saved_work(started):
    candidate, invitation, item = started
    assert candidate.post(_url("candidate_save", invitation, item), {"code": ANSWER}).status_code == 200
    response = candidate.get(_url("candidate_download", invitation, item))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.read("solution.py").decode() == ANSWER


def test_uploads_stop_when_the_session_closes_and_other_links_reach_nothing(started, acme, vector_add):
    candidate, invitation, item = started
    services.session_finish(session=CandidateSession.objects.get(invitation=invitation))
    closed = candidate.post(_url("candidate_upload", invitation, item), {"upload": SimpleUploadedFile("solution.py", ANSWER.encode())})
    assert closed.status_code == 409
    other = AssessmentItemFactory(assessment=AssessmentFactory(organisation=acme["org"]), challenge_version=vector_add.current_version)
    assert candidate.get(reverse("assessments:candidate_download", args=[invitation.token, other.pk])).status_code == 404
    assert Client().get(reverse("assessments:candidate_download", args=["no-such-token", item.pk])).status_code == 404
