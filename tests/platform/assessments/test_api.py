"""The assessment endpoints: build, invite, resend, revoke, the comparison and a report, in the schema."""
import pytest
from django.core import mail
from rest_framework.test import APIClient

from assessments.models import AuditEntry
from tests.factories import (AssessmentItemFactory, AssessmentSubmissionFactory, CandidateInvitationFactory, CandidateSessionFactory,
                             ItemWorkFactory, ResultFactory)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(acme):
    client = APIClient()
    client.force_authenticate(acme["recruiter"])
    return client


def test_build_invite_resend_revoke_through_the_api(api, acme, vector_add, written):
    created = api.post("/api/assessments/", {"organisation": "acme", "title": "Kernels", "time_limit_minutes": 45,
                                             "items": [{"challenge": "vector-add", "weight": 2}, {"challenge": "debug-regression", "weight": 1}]},
                       format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert [i["challenge"] for i in body["items"]] == ["vector-add", "debug-regression"] and body["items"][0]["version"] == 1
    invited = api.post(f"/api/assessments/{body['id']}/invitations/", {"email": "grace@example.com", "name": "Grace"}, format="json")
    assert invited.status_code == 201 and invited.json()["status"] == "sent" and "token" not in invited.json()
    assert mail.outbox[0].to == ["grace@example.com"]
    invitation_id = invited.json()["id"]
    assert api.post(f"/api/invitations/{invitation_id}/resend/").json()["send_count"] == 2
    assert api.post(f"/api/invitations/{invitation_id}/revoke/").json()["status"] == "revoked"
    assert api.post(f"/api/invitations/{invitation_id}/resend/").status_code == 400
    assert [i["status"] for i in api.get(f"/api/assessments/{body['id']}/invitations/").json()] == ["revoked"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"assessment.create", "invitation.create", "invitation.resend", "invitation.revoke"} <= actions


@pytest.mark.parametrize("payload, field", [
    ({"title": "x", "time_limit_minutes": 0, "items": [{"challenge": "vector-add", "weight": 1}]}, "time_limit_minutes"),
    ({"title": "x", "time_limit_minutes": 5, "items": []}, "Choose 1 to"),
    ({"title": "x", "time_limit_minutes": 5, "items": [{"challenge": "vector-add", "weight": -1}]}, "weight"),
    ({"title": "x", "time_limit_minutes": 5, "items": [{"challenge": "vector-add", "weight": 1}, {"challenge": "vector-add", "weight": 1}]}, "once"),
    ({"title": "x", "time_limit_minutes": 5, "device_class": "../etc", "items": [{"challenge": "vector-add", "weight": 1}]}, "device class"),
    ({"title": 7, "time_limit_minutes": 5, "items": [{"challenge": "vector-add", "weight": 1}]}, "title"),
])
def test_a_bad_assessment_is_a_400_with_a_reason(api, vector_add, payload, field):
    response = api.post("/api/assessments/", {"organisation": "acme", **payload}, format="json")
    assert response.status_code == 400 and field.lower() in response.json()["detail"].lower(), response.json()


def test_the_comparison_is_sorted_by_weighted_score_and_the_report_has_everything(api, acme, vector_add):
    from tests.factories import AssessmentFactory

    assessment = AssessmentFactory(organisation=acme["org"])
    item = AssessmentItemFactory(assessment=assessment, challenge_version=vector_add.current_version, weight=2)
    scores = {"low": 10.0, "high": 90.0, "mid": 50.0}
    for name, score in scores.items():
        session = CandidateSessionFactory(invitation=CandidateInvitationFactory(assessment=assessment, name=name))
        link = AssessmentSubmissionFactory(work=ItemWorkFactory(session=session, item=item))
        ResultFactory(submission=link.submission, score=score, flags=["timing_mismatch"], metrics={"speedup": 1.2, "speedup_ci": [1.1, 1.3]})
    rows = api.get(f"/api/assessments/{assessment.pk}/sessions/").json()
    assert [r["candidate"] for r in rows] == ["high", "mid", "low"] and rows[0]["weighted_score"] == 90.0
    assert [r["candidate"] for r in api.get(f"/api/assessments/{assessment.pk}/sessions/?sort=weighted_score").json()] == ["low", "mid", "high"]
    assert [r["candidate"] for r in api.get(f"/api/assessments/{assessment.pk}/sessions/?sort=__class__").json()] == ["high", "mid", "low"]
    report = api.get(f"/api/sessions/{rows[0]['session_id']}/report/").json()
    (entry,) = report["items"]
    assert entry["speedup_ci"] == [1.1, 1.3] and entry["flags"] == ["timing_mismatch"] and entry["score"] == 90.0
    assert AuditEntry.objects.filter(action="report.export", detail__format="api").exists()


def test_the_endpoints_are_in_the_schema(api):
    schema = APIClient().get("/api/schema/?format=json").json()
    for path in ("/api/assessments/", "/api/assessments/{assessment_id}/", "/api/assessments/{assessment_id}/invitations/",
                 "/api/assessments/{assessment_id}/sessions/", "/api/invitations/{invitation_id}/", "/api/invitations/{invitation_id}/resend/",
                 "/api/invitations/{invitation_id}/revoke/", "/api/sessions/{session_id}/report/"):
        assert path in schema["paths"], path
    assert "ReportOutput" in schema["components"]["schemas"]


def test_anonymous_requests_are_refused(vector_add):
    assert APIClient().get("/api/assessments/").status_code in (401, 403)
