"""Expired, revoked and reused invitation links and late work each get a clear page, and nothing
already saved is lost; the server enforces the time limit."""
import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import AuditEntry, CandidateInvitation, CandidateSession, ItemWork
from assessments.rules import invitation_status, seconds_left, session_is_open
from tests.factories import AssessmentFactory, AssessmentItemFactory, CandidateInvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(acme, vector_add):
    assessment = AssessmentFactory(organisation=acme["org"], time_limit_minutes=20)
    AssessmentItemFactory(assessment=assessment, challenge_version=vector_add.current_version, position=0)
    return assessment


@pytest.fixture
def invitation(assessment):
    return CandidateInvitationFactory(assessment=assessment)


def _url(name, invitation, *args):
    return reverse(f"assessments:{name}", args=[invitation.token, *args])


def _started(client, invitation):
    client.get(_url("candidate", invitation))
    client.post(_url("candidate_start", invitation), {"consent": "yes"})
    return CandidateSession.objects.get(invitation=invitation)


def test_an_expired_link_gets_a_clear_page_and_a_resend_revives_it(acme, invitation, clock):
    clock.advance(days=8)
    page = Client().get(_url("candidate", invitation))
    assert page.status_code == 410 and "expired" in page.content.decode() and 'data-reason="expired"' in page.content.decode()
    assert Client().post(_url("candidate_start", invitation), {"consent": "yes"}).status_code == 410
    assert not CandidateSession.objects.exists()
    services.invitation_resend(invitation=invitation, actor=acme["recruiter"], site_url="http://testserver/")
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body  # the same link, a fresh expiry
    assert Client().get(_url("candidate", invitation)).status_code == 200
    assert AuditEntry.objects.filter(action="invitation.resend", target=invitation.email).exists()


def test_a_revoked_link_gets_a_clear_page_and_the_saved_work_stays(acme, invitation, assessment):
    candidate = Client()
    session = _started(candidate, invitation)
    item = assessment.items.get()
    assert candidate.post(_url("candidate_save", invitation, item.pk), {"code": "def add(a, b):\n    return a + b\n"}).status_code == 200
    services.invitation_revoke(invitation=invitation, actor=acme["recruiter"])
    page = candidate.get(_url("candidate", invitation))
    assert page.status_code == 410 and "withdrawn" in page.content.decode() and "work saved before then is kept" in page.content.decode()
    refused = candidate.post(_url("candidate_save", invitation, item.pk), {"code": "overwritten?"})
    assert refused.status_code == 409 and "withdrawn" in refused.json()["detail"]
    assert ItemWork.objects.get(session=session).files == {"solution.py": "def add(a, b):\n    return a + b\n"}
    assert invitation_status(CandidateInvitation.objects.get(pk=invitation.pk)) == "revoked"
    entry = AuditEntry.objects.get(action="invitation.revoke")
    assert entry.actor == acme["recruiter"] and entry.detail["previous_status"] == "started"
    with pytest.raises(Exception, match="cannot be resent"):
        services.invitation_resend(invitation=CandidateInvitation.objects.get(pk=invitation.pk), actor=acme["recruiter"], site_url="http://t/")


def test_a_reused_link_after_handing_in_gets_a_clear_page_and_starts_nothing(invitation, assessment, fake_grading, django_capture_on_commit_callbacks):
    candidate = Client()
    session = _started(candidate, invitation)
    item = assessment.items.get()
    candidate.post(_url("candidate_save", invitation, item.pk), {"code": "def add(a, b):\n    return a + b\n"})
    with django_capture_on_commit_callbacks(execute=True):
        candidate.post(_url("candidate_finish", invitation))
    assert [job.slug for job in fake_grading] == ["vector-add"]  # the autosave was submitted at hand-in
    for client in (candidate, Client()):
        page = client.get(_url("candidate", invitation))
        assert page.status_code == 410 and "already used" in page.content.decode() and "You handed it in" in page.content.decode()
        assert client.post(_url("candidate_start", invitation), {"consent": "yes"}).status_code == 410
    assert CandidateSession.objects.count() == 1 and CandidateSession.objects.get().pk == session.pk
    late = candidate.post(_url("candidate_item", invitation, item.pk), {"code": "more"})
    assert late.status_code == 409 and "handed this assessment in" in late.content.decode()
    assert ItemWork.objects.get(session=session).files["solution.py"].startswith("def add")


def test_the_time_limit_is_the_server_s_and_survives_reload_and_a_second_browser(invitation, assessment, clock):
    first, second = Client(), Client()
    session = _started(first, invitation)
    assert session.deadline == session.started_at + datetime.timedelta(minutes=20)
    clock.advance(minutes=5)
    assert 895 <= first.get(_url("candidate_clock", invitation)).json()["seconds_left"] <= 900
    assert 895 <= second.get(_url("candidate_clock", invitation)).json()["seconds_left"] <= 900
    again = _started(second, invitation)  # a second start from another browser: the same session, the same deadline
    assert again.pk == session.pk and again.deadline == session.deadline
    assert 'data-seconds-left="89' in first.get(_url("candidate", invitation)).content.decode()  # a reload
    clock.advance(minutes=15)
    assert seconds_left(CandidateSession.objects.get()) == 0 and not session_is_open(CandidateSession.objects.get())
    assert second.get(_url("candidate_clock", invitation)).json() == {"seconds_left": 0, "open": False, "deadline": session.deadline.isoformat()}


def test_late_work_is_refused_and_the_last_autosave_is_graded(invitation, assessment, clock, fake_grading, django_capture_on_commit_callbacks):
    candidate = Client()
    session = _started(candidate, invitation)
    item = assessment.items.get()
    candidate.post(_url("candidate_save", invitation, item.pk), {"code": "def add(a, b):\n    return a + b  # saved in time\n"})
    clock.advance(minutes=20, seconds=1)
    with django_capture_on_commit_callbacks(execute=True):  # the first look after the deadline closes the session
        late = candidate.post(_url("candidate_save", invitation, item.pk), {"code": "late"})
    assert late.status_code == 409 and late.json()["saved"] is False and "Time is up" in late.json()["detail"]
    page = candidate.post(_url("candidate_item", invitation, item.pk), {"code": "late"})
    assert page.status_code == 409 and "Your work saved before then is kept" in page.content.decode()
    with pytest.raises(services.SessionClosed):
        services.item_submit(session=session, item=item, files={"solution.py": "late"})
    work = ItemWork.objects.get(session=session)
    assert work.files["solution.py"].endswith("# saved in time\n")
    assert [job.files for job in fake_grading] == [{"solution.py": "def add(a, b):\n    return a + b  # saved in time\n"}]
    assert work.submissions.get().automatic is True
    assert CandidateSession.objects.get().finished_at is not None


@pytest.mark.parametrize("files, message", [
    ({"solution.py": "x\x00y"}, "NUL"), ({"other.py": "x"}, "Send one file"), ({"solution.py": "x" * ((1 << 20) + 1)}, "larger"),
])
def test_hostile_autosaves_are_refused_with_a_reason(invitation, assessment, files, message):
    session = _started(Client(), invitation)
    with pytest.raises(Exception, match=message):
        services.work_save(session=session, item=assessment.items.get(), files=files)


def test_an_autosave_is_a_400_json_for_bad_input_never_a_traceback(invitation, assessment):
    candidate = Client()
    _started(candidate, invitation)
    response = candidate.post(_url("candidate_save", invitation, assessment.items.get().pk), {"code": "a\x00b"})
    assert response.status_code == 400 and response.json()["saved"] is False


def test_start_needs_consent(invitation):
    candidate = Client()
    candidate.get(_url("candidate", invitation))
    candidate.post(_url("candidate_start", invitation), {})
    assert not CandidateSession.objects.exists()
    assert invitation_status(CandidateInvitation.objects.get(pk=invitation.pk)) == "opened"


def test_statuses_with_times(acme, invitation, clock, fake_grading):
    assert invitation_status(invitation) == "sent"
    session = _started(Client(), invitation)
    invitation.refresh_from_db()
    assert invitation.opened_at is not None and invitation_status(invitation) == "started"
    clock.advance(minutes=21)
    invitation = CandidateInvitation.objects.get(pk=invitation.pk)
    assert invitation_status(invitation) == "submitted" and session.started_at <= timezone.now()


def test_submissions_per_item_are_capped_and_the_work_stays_saved(invitation, assessment, monkeypatch):
    from submissions.tasks import grade_submission

    monkeypatch.setattr(grade_submission, "apply_async", lambda *args, **kwargs: None)  # queued, never graded here
    monkeypatch.setattr(services, "MAX_SUBMISSIONS_PER_ITEM", 2)
    session = _started(Client(), invitation)
    item = assessment.items.get()
    for n in range(2):
        services.item_submit(session=session, item=item, files={"solution.py": f"def add(a, b):\n    return a + b  # {n}\n"})
    with pytest.raises(Exception, match="the most it takes"):
        services.item_submit(session=session, item=item, files={"solution.py": "def add(a, b):\n    return b + a\n"})
    assert ItemWork.objects.get(session=session).files == {"solution.py": "def add(a, b):\n    return b + a\n"}


def test_no_live_worker_for_the_assessment_s_class_refuses_the_submit_and_keeps_the_draft(invitation, assessment):
    from submissions.services import DeviceClassUnavailable
    from workers.models import WorkerHeartbeat

    session = _started(Client(), invitation)
    WorkerHeartbeat.objects.all().delete()
    with pytest.raises(DeviceClassUnavailable, match="No worker for device class cpu"):
        services.item_submit(session=session, item=assessment.items.get(), files={"solution.py": "def add(a, b):\n    return a + b\n"})
    assert ItemWork.objects.get(session=session).files == {"solution.py": "def add(a, b):\n    return a + b\n"}
