"""Submissions over HTTP: names checked against the challenge, device classes with live
workers only, status with stage/result/log, the user's history, the device-class list."""
import pytest

from submissions.models import Submission
from tests.factories import ChallengeVersionFactory, ResultFactory, SubmissionFactory, WorkerHeartbeatFactory
from workers.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)

GOOD = {"solution.py": "def add(a, b):\n    return a + b\n"}


@pytest.fixture
def two_file_challenge(db):
    version = ChallengeVersionFactory(challenge__slug="two-files", starter_files={"solution.py": "# edit me\n", "model.py": "M = 1\n"})
    return version.challenge


def test_file_names_are_checked_against_the_entry_and_starter_files(http, two_file_challenge, queued):
    ok = http.post("/api/submissions/", json={"challenge": "two-files", "files": {"solution.py": "x = 1\n", "model.py": "M = 2\n"}})
    assert ok.status_code == 201, ok.text
    entry_only = http.post("/api/submissions/", json={"challenge": "two-files", "files": {"solution.py": "x = 1\n"}})
    assert entry_only.status_code == 201, entry_only.text
    stray = http.post("/api/submissions/", json={"challenge": "two-files", "files": {"solution.py": "x", "helper.py": "y"}})
    assert stray.status_code == 400
    assert stray.json()["files"] == ["Unexpected file 'helper.py': this challenge takes model.py, solution.py."]
    no_entry = http.post("/api/submissions/", json={"challenge": "two-files", "files": {"model.py": "M = 2\n"}})
    assert no_entry.status_code == 400 and "needs its entry file 'solution.py'" in no_entry.json()["detail"]
    assert Submission.objects.count() == 2 and [kw["queue"] for _, kw in queued] == ["grade.cpu", "grade.cpu"]


def test_a_device_class_without_a_live_worker_is_refused(http, vector_add, queued):
    WorkerHeartbeat.objects.all().delete()
    refused = http.post("/api/submissions/", json={"challenge": "vector-add", "files": GOOD})
    assert refused.status_code == 400 and "No cpu worker is online" in refused.json()["detail"], refused.text
    named = http.post("/api/submissions/", json={"challenge": "vector-add", "files": GOOD, "device_class": "cpu"})
    assert named.status_code == 400 and "No worker for device class cpu is online" in named.json()["detail"], named.text
    WorkerHeartbeatFactory(device_class="cpu")
    WorkerHeartbeatFactory(device_class="h100")
    wrong_kind = http.post("/api/submissions/", json={"challenge": "vector-add", "files": GOOD, "device_class": "h100"})
    assert wrong_kind.status_code == 400 and "does not run on cuda" in wrong_kind.json()["detail"], wrong_kind.text
    assert not Submission.objects.exists()
    ok = http.post("/api/submissions/", json={"challenge": "vector-add", "files": GOOD, "device": "cpu", "device_class": "cpu"})
    assert ok.status_code == 201 and ok.json()["device_class"] == "cpu"


def test_status_has_stage_result_and_log(http, vector_add, fake_grading):
    created = http.post("/api/submissions/", json={"challenge": "vector-add", "files": GOOD}).json()
    assert created["stage"] == "queued" and created["result"] is None and created["log"] == ""
    detail = http.get(f"/api/submissions/{created['id']}/").json()
    assert detail["status"] == "graded" and detail["stage"] == "done" and detail["attempts"] == 1
    assert detail["result"]["verdict"] == "accepted" and detail["result"]["metrics"]["speedup_ci"] == [1.3, 1.5]
    assert detail["log"] == "candidate says hi\n"
    listed = http.get("/api/submissions/?challenge=vector-add&limit=1").json()
    assert [s["id"] for s in listed] == [created["id"]]
    assert http.get("/api/submissions/?challenge=other").json() == []


def test_running_and_failed_submissions_say_so(http, user, vector_add):
    running = SubmissionFactory(user=user, challenge_version=vector_add.current_version, status=Submission.Status.RUNNING)
    failed = SubmissionFactory(user=user, challenge_version=vector_add.current_version, status=Submission.Status.FAILED, error="platform error: disk full")
    assert http.get(f"/api/submissions/{running.pk}/").json()["stage"] == "running"
    body = http.get(f"/api/submissions/{failed.pk}/").json()
    assert body["stage"] == "failed" and body["error"] == "platform error: disk full" and body["result"] is None


def test_history_lists_every_attempt_newest_first(http, user, vector_add):
    version = vector_add.current_version
    first = ResultFactory(submission=SubmissionFactory(user=user, challenge_version=version), verdict="wrong_answer", score=0, metrics={"speedup": None})
    second = ResultFactory(submission=SubmissionFactory(user=user, challenge_version=version), score=70,
                           metrics={"speedup": 1.2, "speedup_ci": [1.1, 1.3], "tier": 2})
    ResultFactory(submission=SubmissionFactory(challenge_version=version))  # someone else's
    history = http.get("/api/challenges/vector-add/history/").json()
    assert [h["id"] for h in history] == [str(second.submission.pk), str(first.submission.pk)]
    assert history[0]["verdict"] == "accepted" and history[0]["speedup"] == 1.2 and history[0]["speedup_ci"] == [1.1, 1.3]
    assert history[0]["tier"] == 2 and history[0]["solved"] is True and history[0]["awaiting_review"] is False
    assert history[1]["verdict"] == "wrong_answer" and history[1]["speedup"] is None and history[1]["solved"] is False
    catalog = http.get("/api/challenges/").json()
    assert [(c["slug"], c["solved"]) for c in catalog] == [("vector-add", True)]  # logged in: the solved marker
    assert http.get("/api/challenges/nope/history/").status_code == 404


def test_device_classes_are_the_live_ones(anon, db):
    WorkerHeartbeatFactory(hostname="celery@gpu-1", device_class="h100", free_slots=2)
    classes = anon.get("/api/device-classes/").json()
    assert [c["name"] for c in classes] == ["cpu", "h100"]
    h100 = classes[1]
    assert h100["free_slots"] == 2 and h100["workers"] == 1 and h100["gpu_model"] == "NVIDIA H100" and h100["last_seen"]
    WorkerHeartbeat.objects.all().delete()
    assert anon.get("/api/device-classes/").json() == []


def test_the_catalog_filters_by_topic_difficulty_and_device(anon, db):
    ChallengeVersionFactory(challenge__slug="gpu-hard", challenge__difficulty="hard", challenge__tags=["attention"], device_kinds=["cuda"])
    ChallengeVersionFactory(challenge__slug="cpu-easy", challenge__tags=["warm-up"], device_kinds=["cpu"])
    slugs = lambda query: [c["slug"] for c in anon.get(f"/api/challenges/{query}").json()]  # noqa: E731
    assert slugs("") == ["cpu-easy", "gpu-hard"]
    assert slugs("?difficulty=hard") == ["gpu-hard"] and slugs("?device=cpu") == ["cpu-easy"] and slugs("?tag=attention") == ["gpu-hard"]
    bad = anon.get("/api/challenges/?device=tpu")
    assert bad.status_code == 400 and "device" in bad.json()


def test_a_written_answer_awaiting_review_says_so(http, user, db):
    version = ChallengeVersionFactory(challenge__slug="essay", challenge__kind="written", entry_file="answer.md", starter_files={})
    pending = ResultFactory(submission=SubmissionFactory(user=user, challenge_version=version),
                            metrics={"speedup": None, "rubric": {"needs_review": True}})
    body = http.get(f"/api/submissions/{pending.submission.pk}/").json()
    assert body["stage"] == "awaiting_review" and body["result"]["awaiting_review"] is True and body["result"]["solved"] is False
