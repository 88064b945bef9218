"""Members join by a tokenised e-mail link; the comparison table sorts; exports are safe to open
in a spreadsheet; similar code is flagged with a side-by-side view."""
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments import similarity
from assessments.models import Membership
from assessments.reports import similarity_pairs
from tests.factories import (AssessmentFactory, AssessmentItemFactory, AssessmentSubmissionFactory, CandidateInvitationFactory,
                             CandidateSessionFactory, ItemWorkFactory, ResultFactory, UserFactory)

pytestmark = pytest.mark.django_db

COPY_A = "def add(a, b):\n    out = a.clone()\n    for i in range(len(out)):\n        out[i] = a[i] + b[i]\n    return out\n"
COPY_B = "def add(x, y):  # my own work\n    res = x.clone()\n    for j in range(len(res)):\n        res[j] = x[j] + y[j]\n    return res\n"
OTHER = "import torch\n\ndef add(a, b):\n    return torch.stack([a, b]).sum(dim=0)\n"


def test_an_owner_invites_a_member_by_a_tokenised_link(acme):
    owner = Client()
    owner.force_login(acme["owner"])
    owner.post(reverse("assessments:member_invite", args=["acme"]), {"email": "new@example.com", "role": "reviewer"})
    (message,) = mail.outbox
    path = message.body.split("http://testserver")[1].split()[0]
    newcomer = UserFactory(username="newcomer")
    client = Client()
    client.force_login(newcomer)
    assert client.post(path).status_code == 302
    assert Membership.objects.get(user=newcomer).role == "reviewer"
    again = client.post(path)
    assert again.status_code == 410 and "already used" in again.content.decode()
    recruiter = Client()
    recruiter.force_login(acme["recruiter"])
    assert recruiter.post(reverse("assessments:member_invite", args=["acme"]), {"email": "x@example.com", "role": "owner"}).status_code == 403


def test_an_organisation_is_created_with_its_creator_as_owner(user):
    client = Client()
    client.force_login(user)
    assert client.post(reverse("assessments:orgs"), {"name": "Initech"}).status_code == 302
    assert Membership.objects.get(user=user).role == "owner"
    assert "taken" in client.post(reverse("assessments:orgs"), {"name": "Initech"}).content.decode()


def _candidates(org, vector_add, codes: dict):
    assessment = AssessmentFactory(organisation=org)
    item = AssessmentItemFactory(assessment=assessment, challenge_version=vector_add.current_version)
    sessions = {}
    for name, (code, score) in codes.items():
        session = CandidateSessionFactory(invitation=CandidateInvitationFactory(assessment=assessment, name=name))
        link = AssessmentSubmissionFactory(work=ItemWorkFactory(session=session, item=item, files={"solution.py": code}),
                                           submission__files={"solution.py": code})
        ResultFactory(submission=link.submission, score=score)
        sessions[name] = session
    return assessment, item, sessions


def test_similarity_flags_renamed_copies_not_different_code():
    assert similarity.compare(COPY_A, COPY_B)["score"] >= similarity.THRESHOLD
    assert similarity.compare(COPY_A, OTHER)["score"] < similarity.THRESHOLD
    assert similarity.compare("", COPY_A)["score"] == 0.0
    assert similarity.compare("def (((", "def (((")["score"] >= 0  # untokenisable text never raises


def test_similar_candidates_are_flagged_with_a_side_by_side_view(acme, vector_add):
    assessment, item, sessions = _candidates(acme["org"], vector_add, {"ann": (COPY_A, 80.0), "bob": (COPY_B, 70.0), "cy": (OTHER, 60.0)})
    (pair,) = similarity_pairs(assessment=assessment)
    assert {pair["a"], pair["b"]} == {sessions["ann"].pk, sessions["bob"].pk}
    client = Client()
    client.force_login(acme["reviewer"])
    report = client.get(reverse("assessments:report", args=[sessions["ann"].pk])).content.decode()
    assert "Similar to bob" in report
    side = client.get(reverse("assessments:similarity", args=[sessions["ann"].pk, sessions["bob"].pk, item.pk])).content.decode()
    assert 'class="shared"' in side and "my own work" in side


def test_the_comparison_table_sorts_by_weighted_score_and_exports_safely(acme, vector_add):
    hostile = '=HYPERLINK("http://x")'
    assessment, _, sessions = _candidates(acme["org"], vector_add, {hostile: (OTHER, 20.0), "zed": (COPY_A, 95.0)})
    client = Client()
    client.force_login(acme["recruiter"])
    page = client.get(reverse("assessments:assessment", args=[assessment.pk])).content.decode()
    zed, bad = f'data-session="{sessions["zed"].pk}"', f'data-session="{sessions[hostile].pk}"'
    assert page.index(zed) < page.index(bad)
    ascending = client.get(reverse("assessments:assessment", args=[assessment.pk]) + "?sort=weighted_score").content.decode()
    assert ascending.index(zed) > ascending.index(bad)
    csv_text = client.get(reverse("assessments:comparison_csv", args=[assessment.pk])).content.decode()
    assert "'=HYPERLINK" in csv_text and "\n=HYPERLINK" not in csv_text
    assert csv_text.splitlines()[1].startswith("zed,")
