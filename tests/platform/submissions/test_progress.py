"""Live progress (submissions.progress): the throttled writer, the stages of a real grading
arriving in order, the owner-only endpoint the result page polls, and the REST API's field."""
from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from catalog.models import Challenge
from submissions import progress
from submissions.models import Submission
from submissions.services import submission_create
from tests.factories import ResultFactory, SubmissionFactory, UserFactory, synced_challenge

pytestmark = pytest.mark.django_db
SEEDS = Path(__file__).resolve().parents[3] / "challenges"
FORGE = (Path(__file__).resolve().parents[2] / "hostile" / "submissions" / "forge_progress.py").read_text()


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def writes(monkeypatch):
    """Every event the writer stores, in order (and stored for real)."""
    seen: list[dict] = []
    real = progress.progress_record

    def spy(*, submission_id, event):
        seen.append(event)
        return real(submission_id=submission_id, event=event)

    monkeypatch.setattr(progress, "progress_record", spy)
    return seen


def test_a_fast_step_is_throttled_to_a_write_per_interval_and_milestones_go_at_once(writes):
    submission = SubmissionFactory(status=Submission.Status.RUNNING)
    clock = Clock()
    writer = progress.ProgressWriter(submission_id=submission.pk, min_interval_s=0.5, clock=clock)
    for round_ in range(1, 1001):  # 1000 timing rounds in one second
        clock.now = round_ / 1000
        writer({"stage": "latency", "case_step": 1, "case_of": 2, "step": round_, "label": f"round {round_}"})
    assert [e["step"] for e in writes] == [1, 501]  # the first, then one per half second (1000 is held back)
    writer({"stage": "latency", "case_step": 2, "case_of": 2, "step": 1, "label": "case 2"})  # the next case: at once
    writer({"stage": "latency", "case_step": 2, "case_of": 2, "step": 2, "label": "held back"})
    assert writes[-1]["label"] == "case 2"
    writer.flush()
    assert writes[-1]["label"] == "held back"
    submission.refresh_from_db()
    assert submission.progress["label"] == "held back" and "updated_at" in submission.progress


def test_an_event_never_overwrites_a_finished_grading():
    submission = SubmissionFactory(status=Submission.Status.GRADED, progress={})
    assert progress.progress_record(submission_id=submission.pk, event={"stage": "latency", "label": "late"}) is False
    submission.refresh_from_db()
    assert submission.progress == {}


def test_the_queue_position_comes_from_the_database():
    first, second = SubmissionFactory(status="queued", device_class="cpu"), SubmissionFactory(status="queued", device_class="cpu")
    SubmissionFactory(status="queued", device_class="h100")  # another queue
    assert progress.progress_for(submission=first)["position"] == 1
    view = progress.progress_for(submission=second)
    assert view == {"status": "queued", "done": False, "stage": "queued", "position": 2, "label": "queued: position 2 in the queue"}


def test_a_stored_event_is_cleaned_again_when_read():
    submission = SubmissionFactory(status="running", progress={"stage": "latency", "step": 3, "label": "<b>forged</b>", "x": 1})
    view = progress.progress_for(submission=submission)
    assert view["label"] == "timing: round 3" and "x" not in view
    submission.progress = {"stage": "nonsense"}
    assert progress.progress_for(submission=submission)["stage"] == "starting"


def test_a_graded_submission_reports_its_result():
    result = ResultFactory(verdict="wrong_answer")
    assert progress.progress_for(submission=result.submission) == {
        "status": "graded", "done": True, "stage": "result", "verdict": "wrong_answer", "label": "result: wrong answer"}


@pytest.fixture
def received(monkeypatch):
    """Every event the grading hands the writer, before throttling."""
    seen: list[dict] = []
    real = progress.ProgressWriter.__call__

    def spy(self, event):
        seen.append(event)
        return real(self, event)

    monkeypatch.setattr(progress.ProgressWriter, "__call__", spy)
    return seen


@pytest.fixture
def seed_challenge():
    return synced_challenge("h2d-transfer", root=SEEDS)


def _grade(challenge: Challenge, user, files, django_capture_on_commit_callbacks) -> Submission:
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(user=user, challenge=challenge, files=files)
    submission.refresh_from_db()
    return submission


def test_the_stages_of_a_real_grading_arrive_in_order(seed_challenge, user, writes, received, eager_grading, django_capture_on_commit_callbacks):
    version = seed_challenge.current_version
    submission = _grade(seed_challenge, user, dict(version.starter_files), django_capture_on_commit_callbacks)
    assert submission.status == "graded", submission.error
    stages = list(dict.fromkeys(e["stage"] for e in writes))
    assert stages == ["static", "starting", "correctness", "latency"]
    cases = [e["case_step"] for e in writes if e["stage"] == "correctness" and "case_step" in e]
    assert cases == sorted(cases) and cases
    timing = [e for e in writes if e["stage"] == "latency" and "step" in e]
    assert timing and [e["step"] for e in timing if e["case_step"] == timing[0]["case_step"]] == sorted(e["step"] for e in timing if e["case_step"] == timing[0]["case_step"])
    assert any("ci" in e and "speedup" in e for e in received if e["stage"] == "latency"), "a timing round reports its CI"
    assert [w for w in writes] == [e for e in received if e in writes]  # what was stored, in the order it came
    assert len(writes) <= len(received) and len(writes) < 100
    assert progress.progress_for(submission=submission)["stage"] == "result"


def test_forged_progress_lines_from_the_candidate_never_reach_the_submission(user, writes, eager_grading, django_capture_on_commit_callbacks):
    challenge = synced_challenge("tiny-softmax", root=Path(__file__).resolve().parents[2] / "graders" / "fixtures")
    submission = _grade(challenge, user, {challenge.current_version.entry_file: FORGE}, django_capture_on_commit_callbacks)
    assert submission.status == "graded"
    assert writes, "the real stages were reported"
    assert not [e for e in writes if "FORGED" in repr(e) or e.get("stage") == "result"]
    assert "FORGED" in submission.result.log  # the lines were printed, and went to the log only


def test_the_endpoint_is_owner_only(client):
    submission = SubmissionFactory(status="running", progress={"stage": "correctness", "case_step": 2, "case_of": 5})
    url = reverse("submission_progress", args=[submission.pk])
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # someone else
    client.force_login(submission.user)
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    body = response.json()
    assert body["stage"] == "correctness" and body["label"] == "correctness: case 2 of 5" and body["done"] is False
    assert body["result_url"] == reverse("submission", args=[submission.pk])


def test_the_result_page_polls_without_reloading_and_still_works_without_javascript(client):
    submission = SubmissionFactory(status="queued")
    client.force_login(submission.user)
    page = client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert 'src="/static/web/progress.js"' in page
    assert f'data-progress-url="{reverse("submission_progress", args=[submission.pk])}"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert page.count('http-equiv="refresh"') == 1  # only inside <noscript>
    assert "queued: position 1 in the queue" in page
    ResultFactory(submission=submission)
    submission.status = "graded"
    submission.save()
    page = client.get(reverse("submission", args=[submission.pk])).content.decode()
    assert "progress.js" not in page and "refresh" not in page and 'id="submission-body"' in page


def test_the_api_detail_carries_the_progress():
    submission = SubmissionFactory(status="running", progress={"stage": "throughput", "step": 3, "of": 12, "detail": "candidate, max_batch 8, concurrency 4"})
    api = APIClient()
    api.force_authenticate(submission.user)
    body = api.get(f"/api/submissions/{submission.pk}/").json()
    assert body["progress"]["stage"] == "throughput"
    assert body["progress"]["label"] == "throughput: step 3 of 12, candidate, max_batch 8, concurrency 4"
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert other.get(f"/api/submissions/{submission.pk}/").status_code == 404
