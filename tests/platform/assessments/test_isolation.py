"""An organisation's data is invisible to every other organisation: a member of acme asking for
any object URL or API endpoint of globex gets 404 or 403, and nothing of globex changes; a
candidate reaches nothing but their own invitation."""
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from assessments.models import AuditEntry, CandidateInvitation
from reviews.models import CriterionMark
from tests.factories import UserFactory
from tests.platform.assessments import world as worlds

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(acme, globex):
    return {"acme": worlds.build(acme["org"]), "globex": worlds.build(globex["org"], candidates=2)}


def web_urls(w: dict, other: dict) -> list[tuple[str, str, dict]]:
    """Every member page of world `w` (method, url, data); `other` is the requester's own world,
    for URLs that mix one object of each."""
    a, s, inv, review, mark = w["assessment"], w["sessions"][0], w["invitations"][0], w["reviews"][0], w["marks"][0]
    slug = a.organisation.slug
    mine = other["sessions"][0]
    return [
        ("get", reverse("assessments:org", args=[slug]), {}),
        ("post", reverse("assessments:member_invite", args=[slug]), {"email": "mole@example.com", "role": "owner"}),
        ("get", reverse("assessments:assessment_new", args=[slug]), {}),
        ("post", reverse("assessments:assessment_new", args=[slug]), {"title": "x", "time_limit_minutes": 5, "device_class": "cpu", "invitation_days": 1}),
        ("get", reverse("assessments:review_queue", args=[slug]), {}),
        ("get", reverse("assessments:audit", args=[slug]), {}),
        ("get", reverse("assessments:assessment", args=[a.pk]), {}),
        ("post", reverse("assessments:invite", args=[a.pk]), {"email": "mole@example.com"}),
        ("get", reverse("assessments:comparison_csv", args=[a.pk]), {}),
        ("post", reverse("assessments:resend", args=[w["pending_invitation"].pk]), {}),
        ("post", reverse("assessments:revoke", args=[inv.pk]), {}),
        ("get", reverse("assessments:report", args=[s.pk]), {}),
        ("get", reverse("assessments:report_print", args=[s.pk]), {}),
        ("get", reverse("assessments:report_json", args=[s.pk]), {}),
        ("get", reverse("assessments:report_csv", args=[s.pk]), {}),
        ("get", reverse("assessments:similarity", args=[s.pk, mine.pk, w["items"][0].pk]), {}),
        ("get", reverse("assessments:similarity", args=[mine.pk, s.pk, other["items"][0].pk]), {}),
        ("get", reverse("assessments:review", args=[review.pk]), {}),
        ("post", reverse("assessments:override", args=[review.pk, mark.pk]), {"points": 2, "reason": "mine now"}),
        ("post", reverse("assessments:sign_off", args=[review.pk]), {}),
        ("get", reverse("submission", args=[w["submissions"][0].pk]), {}),
    ]


def api_urls(w: dict) -> list[tuple[str, str, dict]]:
    a, s, inv = w["assessment"], w["sessions"][0], w["invitations"][0]
    return [
        ("get", f"/api/assessments/{a.pk}/", {}),
        ("get", f"/api/assessments/{a.pk}/invitations/", {}),
        ("post", f"/api/assessments/{a.pk}/invitations/", {"email": "mole@example.com"}),
        ("get", f"/api/assessments/{a.pk}/sessions/", {}),
        ("get", f"/api/invitations/{inv.pk}/", {}),
        ("post", f"/api/invitations/{w['pending_invitation'].pk}/resend/", {}),
        ("post", f"/api/invitations/{inv.pk}/revoke/", {}),
        ("get", f"/api/sessions/{s.pk}/report/", {}),
        ("get", f"/api/submissions/{w['submissions'][0].pk}/", {}),
        ("post", "/api/assessments/", {"organisation": a.organisation.slug, "title": "x", "time_limit_minutes": 5,
                                       "items": [{"challenge": w["items"][0].challenge_version.challenge.slug, "weight": 1}]}),
    ]


def _snapshot(org) -> tuple:
    return (AuditEntry.objects.filter(organisation=org).count(),
            list(CandidateInvitation.objects.filter(assessment__organisation=org).values_list("revoked_at", "expires_at", "send_count")),
            list(CriterionMark.objects.filter(review__submission__assessment_link__work__session__invitation__assessment__organisation=org)
                 .values_list("final_points", flat=True)))


@pytest.mark.parametrize("role", ["owner", "recruiter", "reviewer"])
def test_a_member_of_one_organisation_gets_404_or_403_for_everything_of_the_other(both, acme, globex, role):
    client = Client()
    client.force_login(acme[role])
    before = _snapshot(globex["org"])
    for method, url, data in web_urls(both["globex"], both["acme"]):
        response = getattr(client, method)(url, data)
        assert response.status_code in (403, 404), (method, url, response.status_code)
        assert "globex candidate" not in response.content.decode(), url
    staff_review = client.get(reverse("reviews:review", args=[both["globex"]["reviews"][0].pk]))  # the staff queue: not for members
    assert staff_review.status_code == 302 and staff_review["Location"].startswith("/admin/login/")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=acme[role]).key}")
    for method, url, data in api_urls(both["globex"]):
        response = getattr(api, method)(url, data, format="json")
        assert response.status_code in (403, 404), (method, url, response.status_code, response.content)
        assert "detail" in response.json()
    listed = api.get("/api/assessments/").json()
    assert [row["organisation"] for row in listed] == ["acme"]
    assert _snapshot(globex["org"]) == before  # nothing of globex changed


def test_the_member_s_own_pages_answer_so_the_404s_above_mean_something(both, acme):
    client = Client()
    client.force_login(acme["owner"])
    for method, url, data in web_urls(both["acme"], both["acme"]):
        if method == "get" and "/similar/" not in url and "/submissions/" not in url:
            assert getattr(client, method)(url, data).status_code in (200, 302), url


def test_a_role_that_may_not_act_gets_403(both, acme):
    reviewer = Client()
    reviewer.force_login(acme["reviewer"])
    w = both["acme"]
    assert reviewer.post(reverse("assessments:revoke", args=[w["invitations"][0].pk])).status_code == 403
    assert reviewer.get(reverse("assessments:assessment_new", args=["acme"])).status_code == 403
    assert reviewer.get(reverse("assessments:audit", args=["acme"])).status_code == 403
    recruiter = Client()
    recruiter.force_login(acme["recruiter"])
    assert recruiter.post(reverse("assessments:override", args=[w["reviews"][0].pk, w["marks"][0].pk]), {"points": 2, "reason": "x"}).status_code == 403
    assert CandidateInvitation.objects.get(pk=w["invitations"][0].pk).revoked_at is None


def test_anonymous_visitors_get_404_with_a_login_link(both):
    response = Client().get(reverse("assessments:report", args=[both["globex"]["sessions"][0].pk]))
    assert response.status_code == 404 and "/accounts/login/?next=" in response.content.decode()


@pytest.mark.parametrize("ident", ["", "0", "-1", "99999999999999999999999", "1e3", "%00", "' OR 1=1 --"])
def test_hostile_ids_are_404s_not_errors(both, acme, ident):
    client = Client()
    client.force_login(acme["owner"])
    api = APIClient()
    api.force_authenticate(acme["owner"])
    assert client.get(f"/hiring/sessions/{ident}/").status_code == 404
    assert api.get(f"/api/sessions/{ident}/report/").status_code == 404
    assert client.get(f"/assess/{ident}/").status_code == 404


def test_a_candidate_reaches_only_their_own_invitation(both):
    w = both["globex"]
    mine, theirs = w["sessions"]
    token = mine.invitation.token
    candidate = Client()
    assert candidate.get(reverse("assessments:candidate", args=[token])).status_code == 200
    other_assessment_item = both["acme"]["items"][0]
    assert candidate.get(reverse("assessments:candidate_item", args=[token, other_assessment_item.pk])).status_code == 404
    assert candidate.post(reverse("assessments:candidate_save", args=[token, other_assessment_item.pk]), {"code": "x"}).status_code == 404
    assert candidate.get(reverse("assessments:candidate", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])).status_code == 404
    # the other candidate's report, exports, submissions: nothing, whether or not the candidate has an account
    account = UserFactory()
    for client in (candidate, Client()):
        if client is not candidate:
            client.force_login(account)
        for url in (reverse("assessments:report", args=[theirs.pk]), reverse("assessments:report_json", args=[theirs.pk]),
                    reverse("assessments:report_csv", args=[theirs.pk]), reverse("assessments:assessment", args=[w["assessment"].pk]),
                    reverse("submission", args=[w["submissions"][2].pk])):
            response = client.get(url)
            assert response.status_code in (404, 403) or (response.status_code == 302 and "/accounts/login/" in response["Location"]), url
            assert "globex candidate 1" not in response.content.decode()
    api = APIClient()
    for url in (f"/api/sessions/{theirs.pk}/report/", f"/api/submissions/{w['submissions'][2].pk}/"):
        assert api.get(url).status_code in (401, 403, 404)
    api.force_authenticate(account)
    for url in (f"/api/sessions/{theirs.pk}/report/", f"/api/submissions/{w['submissions'][2].pk}/"):
        assert api.get(url).status_code in (403, 404)
