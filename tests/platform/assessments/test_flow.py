"""The whole flow through the pages: build, invite, open the link, start, autosave, submit code and
a written answer, time runs out, the report shows everything, a reviewer overrides a criterion and
the report and the audit log change."""
import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from assessments.models import Assessment, AuditEntry, CandidateSession
from tests.platform.assessments.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def _link(message) -> str:
    return re.search(r"http://testserver(/assess/[^/\s]+/)", message.body).group(1)


def test_the_whole_flow(client, acme, vector_add, written, fake_grading, clock):
    recruiter = login(client, acme["recruiter"])
    # build: two items, weights 3 and 1, a 30-minute limit, graded on cpu
    response = recruiter.post(reverse("assessments:assessment_new", args=["acme"]), {
        "title": "Performance engineer", "instructions_md": "Read **everything** first.", "time_limit_minutes": 30,
        "device_class": "cpu", "invitation_days": 7, "weight_vector-add": 3, "weight_debug-regression": 1})
    assessment = Assessment.objects.get(title="Performance engineer")
    assert response.status_code == 302 and response["Location"] == reverse("assessments:assessment", args=[assessment.pk])
    items = list(assessment.items.all())
    assert [i.challenge_version for i in items] == [vector_add.current_version, written.current_version]  # pinned

    # invite: an e-mail with a link
    recruiter.post(reverse("assessments:invite", args=[assessment.pk]), {"email": "Ada@Example.com", "name": "Ada"})
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
    link = _link(mail.outbox[0])
    page = recruiter.get(reverse("assessments:assessment", args=[assessment.pk])).content.decode()
    assert re.search(r'class="status">sent<', page)

    # the candidate, in another browser: open, start (consent), see the clock
    from django.test import Client
    candidate, second_browser = Client(), Client()
    start_page = candidate.get(link).content.decode()
    assert "Read <strong>everything</strong> first." in start_page and 'name="consent"' in start_page
    assert "opened" in recruiter.get(reverse("assessments:assessment", args=[assessment.pk])).content.decode()
    assert candidate.post(link + "start/", {}).status_code == 302  # no consent: not started
    assert not CandidateSession.objects.exists()
    candidate.post(link + "start/", {"consent": "yes"})
    session = CandidateSession.objects.get()
    assert (session.deadline - session.started_at).total_seconds() == 30 * 60
    assert 'data-seconds-left="1800"' in candidate.get(link).content.decode() or 'data-seconds-left="1799"' in candidate.get(link).content.decode()

    # autosave code, leave, come back 10 minutes later in a second browser: the same time left, the same code
    code_url, answer_url = (reverse("assessments:candidate_item", args=[link.split("/")[2], i.pk]) for i in items)
    saved = candidate.post(code_url + "save/", {"code": "def add(a, b):\n    return a + b  # draft\n"})
    assert saved.status_code == 200 and saved.json()["saved"] is True
    clock.advance(minutes=10)
    clock_now = second_browser.get(link + "clock/").json()
    assert 1190 <= clock_now["seconds_left"] <= 1200 and clock_now["open"] is True
    item_page = second_browser.get(code_url).content.decode()
    assert "# draft" in item_page and 'data-file="solution.py"' in item_page

    # submit code; write an answer (autosaved, never submitted by hand)
    assert second_browser.post(code_url, {"code": "def add(a, b):\n    return a + b\n"}).status_code == 302
    assert second_browser.post(answer_url + "save/", {"code": "Bisect the diff. nvidia-smi first. Check with DCGM."}).json()["saved"]
    assert [job.slug for job in fake_grading] == ["vector-add"]
    assert fake_grading[0].device_class is None and fake_grading[0].device == "cpu"  # cpu: the pipeline's own default class

    # time runs out: late work is refused with a clear message, and what was saved stays
    clock.advance(minutes=21)
    late = candidate.post(answer_url + "save/", {"code": "a late rewrite"})
    assert late.status_code == 409 and "Time is up" in late.json()["detail"]
    late_page = candidate.post(answer_url, {"code": "a late rewrite"})
    assert late_page.status_code == 409 and "Time is up" in late_page.content.decode()
    closed = candidate.get(link)
    assert closed.status_code == 410 and "time ran out" in closed.content.decode().lower()
    # the written answer's last autosave was submitted for grading when the session closed
    assert [job.slug for job in fake_grading] == ["vector-add", "debug-regression"]
    assert fake_grading[1].files == {written.current_version.entry_file: "Bisect the diff. nvidia-smi first. Check with DCGM."}

    # the report shows everything
    reviewer = login(Client(), acme["reviewer"])
    report_url = reverse("assessments:report", args=[session.pk])
    text = reviewer.get(report_url).content.decode()
    assert "Ada" in text and "submitted" in text
    assert "1.400×" in text and "1.300–1.500" in text and "noisy" in text  # timings with their CI and flags
    assert "kernel_count 3" in text and "aten::add" in text  # the profile summary
    assert "Measures a baseline before changing anything" in text and "nvidia-smi first" in text  # rubric evidence
    assert "awaiting review" in text and 'id="provisional"' in text
    assert "automatically, from the last autosave" in text
    data = json.loads(reviewer.get(reverse("assessments:report_json", args=[session.pk])).content)
    code_item, answer_item = data["items"]
    assert code_item["score"] == 72.5 and code_item["speedup_ci"] == [1.3, 1.5] and code_item["flags"] == ["noisy"]
    assert code_item["seconds_spent"] == 120  # a 10-minute gap between saves counts as at most 2 minutes on the item
    assert answer_item["score"] == 0.0 and answer_item["rubric"]["score"] == 3.5  # below the 60% pass mark: 0, as for any incorrect answer
    assert data["weighted_score"] == pytest.approx(3 * 72.5 / 4, abs=0.01) and data["final"] is False

    # a reviewer overrides a criterion: the report and the audit log change
    review_id = answer_item["rubric"]["review_id"]
    mark_id = answer_item["rubric"]["criteria"][0]["mark_id"]
    reviewer.post(reverse("assessments:override", args=[review_id, mark_id]), {"points": 2, "reason": "measures with nvidia-smi before the bisect"})
    text = reviewer.get(report_url).content.decode()
    assert "1 → 2 by acme-reviewer" in text and "measures with nvidia-smi before the bisect" in text
    (entry,) = AuditEntry.objects.filter(action="review.override")
    assert entry.actor == acme["reviewer"] and entry.detail["reason"] == "measures with nvidia-smi before the bisect"
    assert entry.detail["previous_points"] == 1 and entry.detail["points"] == 2
    verify_mark = answer_item["rubric"]["criteria"][2]["mark_id"]
    reviewer.post(reverse("assessments:override", args=[review_id, verify_mark]), {"points": 2, "reason": "re-runs the benchmark after the fix"})
    reviewer.post(reverse("assessments:sign_off", args=[review_id]))
    data = json.loads(reviewer.get(reverse("assessments:report_json", args=[session.pk])).content)
    answer_item = data["items"][1]
    assert answer_item["awaiting_review"] is False and answer_item["rubric"]["score"] == 6.0 and data["final"] is True
    assert answer_item["score"] == 60.0 and answer_item["verdict"] == "accepted"  # at the 60% pass mark
    assert data["weighted_score"] == pytest.approx((3 * 72.5 + 60.0) / 4, abs=0.01)
    assert AuditEntry.objects.filter(action="review.override").count() == 2 and AuditEntry.objects.filter(action="review.sign_off").exists()

    # printable page, CSV export, comparison table; each export is in the audit log
    printable = reviewer.get(reverse("assessments:report_print", args=[session.pk])).content.decode()
    assert 'print.css" media="all"' in printable and "<form" not in printable.split("<main>")[1].split("</main>")[0]
    csv_text = reviewer.get(reverse("assessments:report_csv", args=[session.pk])).content.decode()
    assert csv_text.splitlines()[0].startswith("candidate,email,status,weighted_score") and "vector-add" in csv_text
    table = reviewer.get(reverse("assessments:assessment", args=[assessment.pk]) + "?sort=-weighted_score").content.decode()
    assert f'data-session="{session.pk}"' in table
    exports = AuditEntry.objects.filter(action="report.export").values_list("detail__format", flat=True)
    assert {"json", "print", "csv"} <= set(exports)
    audit_page = login(Client(), acme["owner"]).get(reverse("assessments:audit", args=["acme"])).content.decode()
    assert "review.override" in audit_page and "invitation.create" in audit_page and "assessment.create" in audit_page
