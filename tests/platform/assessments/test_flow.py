"""The whole flow through the pages: build, invite, open the link, start, autosave, submit code and
a written answer, time runs out, the report shows everything, a reviewer overrides a criterion and
the report and the audit log change. One test, in stages (each a helper below)."""
import json
import re
from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment, AuditEntry, CandidateSession
from tests.platform.assessments.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_whole_flow(client, acme, vector_add, written, fake_grading, clock):
    flow = SimpleNamespace(acme=acme, vector_add=vector_add, written=written, jobs=fake_grading, clock=clock,
                           recruiter=login(client, acme["recruiter"]), candidate=Client(), second_browser=Client())
    _build_and_invite(flow)
    _start(flow)
    _work_across_two_browsers(flow)
    _time_runs_out(flow)
    flow.reviewer = login(Client(), acme["reviewer"])
    _report_shows_everything(flow)
    _reviewer_overrides(flow)
    _exports(flow)


def _build_and_invite(flow):
    response = flow.recruiter.post(reverse("assessments:assessment_new", args=["acme"]), {
        "title": "Performance engineer", "instructions_md": "Read **everything** first.", "time_limit_minutes": 30,
        "device_class": "cpu", "invitation_days": 7, "weight_vector-add": 3, "weight_debug-regression": 1})
    flow.assessment = Assessment.objects.get(title="Performance engineer")
    flow.page = reverse("assessments:assessment", args=[flow.assessment.pk])
    assert response.status_code == 302 and response["Location"] == flow.page
    flow.items = list(flow.assessment.items.all())
    assert [i.challenge_version for i in flow.items] == [flow.vector_add.current_version, flow.written.current_version]  # pinned
    flow.recruiter.post(reverse("assessments:invite", args=[flow.assessment.pk]), {"email": "Ada@Example.com", "name": "Ada"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    flow.link = re.search(r"http://testserver(/assess/[^/\s]+/)", mail.outbox[0].body).group(1)
    assert re.search(r'class="status">sent<', flow.recruiter.get(flow.page).content.decode())


def _start(flow):
    start_page = flow.candidate.get(flow.link).content.decode()
    assert "Read <strong>everything</strong> first." in start_page and 'name="consent"' in start_page
    assert re.search(r'class="status">opened<', flow.recruiter.get(flow.page).content.decode())
    assert flow.candidate.post(flow.link + "start/", {}).status_code == 302  # no consent: not started
    assert not CandidateSession.objects.exists()
    flow.candidate.post(flow.link + "start/", {"consent": "yes"})
    flow.session = CandidateSession.objects.get()
    assert (flow.session.deadline - flow.session.started_at).total_seconds() == 30 * 60
    assert re.search(r'data-seconds-left="(1800|1799)"', flow.candidate.get(flow.link).content.decode())


def _work_across_two_browsers(flow):
    """Autosave, leave, come back 10 minutes later in a second browser: the same time left, the same code."""
    token = flow.link.split("/")[2]
    flow.code_url, flow.answer_url = (reverse("assessments:candidate_item", args=[token, i.pk]) for i in flow.items)
    saved = flow.candidate.post(flow.code_url + "save/", {"code": "def add(a, b):\n    return a + b  # draft\n"})
    assert saved.status_code == 200 and saved.json()["saved"] is True
    flow.clock.advance(minutes=10)
    clock_now = flow.second_browser.get(flow.link + "clock/").json()
    assert 1190 <= clock_now["seconds_left"] <= 1200 and clock_now["open"] is True
    item_page = flow.second_browser.get(flow.code_url).content.decode()
    assert "# draft" in item_page and 'data-file="solution.py"' in item_page
    assert flow.second_browser.post(flow.code_url, {"code": "def add(a, b):\n    return a + b\n"}).status_code == 302
    answer = flow.second_browser.post(flow.answer_url + "save/", {"code": "Bisect the diff. nvidia-smi first. Check with DCGM."})
    assert answer.json()["saved"]  # autosaved, never submitted by hand
    assert [job.slug for job in flow.jobs] == ["vector-add"]
    assert flow.jobs[0].device == "cpu"


def _time_runs_out(flow):
    """Late work is refused with a clear message; the last autosave of the answer is graded."""
    flow.clock.advance(minutes=21)
    late = flow.candidate.post(flow.answer_url + "save/", {"code": "a late rewrite"})
    assert late.status_code == 409 and "Time is up" in late.json()["detail"]
    late_page = flow.candidate.post(flow.answer_url, {"code": "a late rewrite"})
    assert late_page.status_code == 409 and "Time is up" in late_page.content.decode()
    closed = flow.candidate.get(flow.link)
    assert closed.status_code == 410 and "time ran out" in closed.content.decode().lower()
    assert [job.slug for job in flow.jobs] == ["vector-add", "debug-regression"]
    assert flow.jobs[1].files == {flow.written.current_version.entry_file: "Bisect the diff. nvidia-smi first. Check with DCGM."}


def _report(flow) -> dict:
    return json.loads(flow.reviewer.get(reverse("assessments:report_json", args=[flow.session.pk])).content)


def _report_shows_everything(flow):
    flow.report_url = reverse("assessments:report", args=[flow.session.pk])
    text = flow.reviewer.get(flow.report_url).content.decode()
    assert "Ada" in text and "submitted" in text
    assert "1.400×" in text and "1.300–1.500" in text and "noisy" in text  # timings with their CI and flags
    assert "kernel_count 3" in text and "aten::add" in text  # the profile summary
    assert "Measures a baseline before changing anything" in text and "nvidia-smi first" in text  # rubric evidence
    assert "awaiting review" in text and 'id="provisional"' in text
    assert "automatically, from the last autosave" in text
    data = _report(flow)
    code_item, answer_item = data["items"]
    assert code_item["score"] == 72.5 and code_item["speedup_ci"] == [1.3, 1.5] and code_item["flags"] == ["noisy"]
    assert code_item["seconds_spent"] == 120  # a 10-minute gap between saves counts as at most 2 minutes on the item
    assert answer_item["score"] == 0.0 and answer_item["rubric"]["score"] == 3.5  # below the 60% pass mark: 0, as for any incorrect answer
    assert data["weighted_score"] == pytest.approx(3 * 72.5 / 4, abs=0.01) and data["final"] is False
    flow.rubric = answer_item["rubric"]


def _reviewer_overrides(flow):
    review_id, criteria = flow.rubric["review_id"], flow.rubric["criteria"]
    flow.reviewer.post(reverse("assessments:override", args=[review_id, criteria[0]["mark_id"]]),
                       {"points": 2, "reason": "measures with nvidia-smi before the bisect"})
    text = flow.reviewer.get(flow.report_url).content.decode()
    assert "1 → 2 by acme-reviewer" in text and "measures with nvidia-smi before the bisect" in text
    (entry,) = AuditEntry.objects.filter(action="review.override")
    assert entry.actor == flow.acme["reviewer"] and entry.detail["reason"] == "measures with nvidia-smi before the bisect"
    assert entry.detail["previous_points"] == 1 and entry.detail["points"] == 2
    flow.reviewer.post(reverse("assessments:override", args=[review_id, criteria[2]["mark_id"]]), {"points": 2, "reason": "re-runs the benchmark after the fix"})
    flow.reviewer.post(reverse("assessments:sign_off", args=[review_id]))
    data = _report(flow)
    answer_item = data["items"][1]
    assert answer_item["awaiting_review"] is False and answer_item["rubric"]["score"] == 6.0 and data["final"] is True
    assert answer_item["score"] == 60.0 and answer_item["verdict"] == "accepted"  # at the 60% pass mark
    assert data["weighted_score"] == pytest.approx((3 * 72.5 + 60.0) / 4, abs=0.01)
    assert AuditEntry.objects.filter(action="review.override").count() == 2 and AuditEntry.objects.filter(action="review.sign_off").exists()


def _exports(flow):
    """Printable page, CSV export, comparison table; each export is in the audit log."""
    printable = flow.reviewer.get(reverse("assessments:report_print", args=[flow.session.pk])).content.decode()
    assert 'print.css" media="all"' in printable and "<form" not in re.split(r"<main[^>]*>", printable)[1].split("</main>")[0]
    csv_text = flow.reviewer.get(reverse("assessments:report_csv", args=[flow.session.pk])).content.decode()
    assert csv_text.splitlines()[0].startswith("candidate,email,status,weighted_score") and "vector-add" in csv_text
    table = flow.reviewer.get(flow.page + "?sort=-weighted_score").content.decode()
    assert f'data-session="{flow.session.pk}"' in table
    exports = AuditEntry.objects.filter(action="report.export").values_list("detail__format", flat=True)
    assert {"json", "print", "csv"} <= set(exports)
    audit_page = login(Client(), flow.acme["owner"]).get(reverse("assessments:audit", args=["acme"])).content.decode()
    assert "review.override" in audit_page and "invitation.create" in audit_page and "assessment.create" in audit_page
