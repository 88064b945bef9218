"""Grading reliability in one process (docs/operations.md): the claim and its lease, the
compare-and-set record, retries for platform faults only, the reaper, time limits derived from
the challenges. The same rules under real workers, Redis and PostgreSQL: test_faults.py."""
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

import submissions.services
from graders.catalog import challenge_roots, package_dirs
from graders.result import GradeResult
from graders.spec import load_spec
from submissions.models import Result, Submission
from submissions.reaper import submission_reap_stuck
from submissions.services import (grading_time_limits, submission_claim, submission_create, submission_grade, submission_mark_failed,
                                  submission_record_result)
from submissions.tasks import grade_submission
from tests.factories import ChallengeVersionFactory, SubmissionFactory, UserFactory, WorkerHeartbeatFactory

pytestmark = pytest.mark.django_db
LIMITED_SPEC = {"devices": {"cpu": {"limits": {"wall_s": 30}}, "cuda": {"limits": {"wall_s": 600}}}}


@pytest.fixture
def queued_submission():
    version = ChallengeVersionFactory(spec=LIMITED_SPEC, device_kinds=["cpu", "cuda"])
    return SubmissionFactory(challenge_version=version, status=Submission.Status.QUEUED)


@pytest.fixture
def gradings(monkeypatch):
    """Replace the sandbox pipeline: each call pops the next outcome (a GradeResult, or an
    exception to raise) and is counted."""
    calls, outcomes = [], []

    def grade(job):
        calls.append(job)
        outcome = outcomes.pop(0) if outcomes else GradeResult(verdict="accepted", score=40.0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(submissions.services, "grade", grade)
    monkeypatch.setattr(submissions.services, "_extract_package", lambda archive, into: into)
    return calls, outcomes


@pytest.fixture
def published(monkeypatch):
    calls = []
    monkeypatch.setattr(grade_submission, "apply_async", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls


def test_time_limits_derive_from_the_wall_limit_of_the_device(queued_submission, settings):
    settings.HOTPATH_GRADING_TIME_LIMIT_S = 0
    limits = grading_time_limits(version=queued_submission.challenge_version, device="cpu")
    assert (limits.soft_s, limits.hard_s, limits.lease_s) == (3 * (30 + 30) + 60, 3 * 60 + 60 + 30, 3 * 60 + 60 + 60)
    assert grading_time_limits(version=queued_submission.challenge_version, device="cuda").soft_s == 3 * 630 + 60
    settings.HOTPATH_GRADING_TIME_LIMIT_S = 20
    capped = grading_time_limits(version=queued_submission.challenge_version, device="cuda")
    assert (capped.soft_s, capped.hard_s, capped.lease_s) == (20, 30, 40)


def test_the_visibility_timeout_outlasts_the_longest_grading_in_the_catalog(settings):
    settings.HOTPATH_GRADING_TIME_LIMIT_S = 0
    longest = 0.0
    for package in package_dirs(challenge_roots()):
        spec = load_spec(package)
        for device in (name for name in spec.devices if "." not in name):  # cuda.h100 tables hold no limits
            version = ChallengeVersionFactory.build(spec={"devices": {device: {"limits": spec.devices[device].limits}}})
            longest = max(longest, grading_time_limits(version=version, device=device).lease_s)
    assert longest > 1000  # the catalog's big GPU challenges were found
    assert django_settings.HOTPATH_BROKER_VISIBILITY_TIMEOUT_S > longest


def test_publish_sends_the_limits_with_the_message_and_a_broker_outage_keeps_the_submission(vector_add, monkeypatch, published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(user=UserFactory(), challenge=vector_add, files={"solution.py": "def add(a, b):\n    return a + b\n"})
    (args, kwargs), = published
    assert kwargs["queue"] == "grade.cpu" and kwargs["time_limit"] == kwargs["soft_time_limit"] + 30
    submission.refresh_from_db()
    assert submission.enqueued_at is not None

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    monkeypatch.setattr(grade_submission, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        unpublished = submission_create(user=UserFactory(), challenge=vector_add, files={"solution.py": "x = 1\n"})
    unpublished.refresh_from_db()
    assert unpublished.status == "queued" and unpublished.enqueued_at is None  # kept for the reaper


def test_a_duplicate_message_does_not_grade_while_the_claim_is_held(queued_submission, gradings):
    claim = submission_claim(submission_id=queued_submission.pk, task_id="task-1", worker="celery@a")
    assert claim is not None
    duplicate = submission_grade(submission_id=queued_submission.pk, task_id="task-2", worker="celery@b")
    assert duplicate.status == "running" and gradings[0] == []
    assert duplicate.grading_task_id == "task-1" and duplicate.grading_worker == "celery@a"


def test_the_same_task_redelivered_takes_its_claim_over_and_grades_once(queued_submission, gradings):
    first = submission_claim(submission_id=queued_submission.pk, task_id="task-1", worker="celery@a")
    done = submission_grade(submission_id=queued_submission.pk, task_id="task-1", worker="celery@a2")  # the worker died; redelivered
    assert done.status == "graded" and len(gradings[0]) == 1 and done.attempts == 2
    late = submission_record_result(submission=first.submission, result=GradeResult(verdict="wrong_answer"), token=first.token)
    assert late.status == "graded" and Result.objects.get(submission=queued_submission).verdict == "accepted"  # never overwritten
    again = submission_grade(submission_id=queued_submission.pk, task_id="task-1")
    assert again.status == "graded" and len(gradings[0]) == 1


def test_a_stale_token_cannot_record(queued_submission):
    stale = submission_claim(submission_id=queued_submission.pk, task_id="task-1")
    Submission.objects.filter(pk=queued_submission.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    current = submission_claim(submission_id=queued_submission.pk, task_id="task-2")  # the lease ran out: taken over
    assert current is not None and current.token != stale.token
    refused = submission_record_result(submission=stale.submission, result=GradeResult(verdict="accepted"), token=stale.token)
    assert refused.status == "running" and not Result.objects.filter(submission=queued_submission).exists()
    submission_record_result(submission=current.submission, result=GradeResult(verdict="runtime_error"), token=current.token)
    assert Result.objects.get(submission=queued_submission).verdict == "runtime_error"


def test_a_candidate_failure_is_recorded_once_and_never_retried(queued_submission, gradings, eager_grading):
    gradings[1].append(GradeResult(verdict="wrong_answer", message="rel error 0.9"))
    grade_submission.apply(args=[str(queued_submission.pk)])
    queued_submission.refresh_from_db()
    assert queued_submission.status == "graded" and queued_submission.result.verdict == "wrong_answer"
    assert len(gradings[0]) == 1 and queued_submission.attempts == 1


def test_a_platform_fault_is_retried_then_graded(queued_submission, gradings, eager_grading, settings):
    settings.HOTPATH_GRADING_RETRY_DELAY_S = 0
    gradings[1].extend([OSError("sandbox scratch disk full"), GradeResult(verdict="accepted", score=55.0)])
    grade_submission.apply(args=[str(queued_submission.pk)])
    queued_submission.refresh_from_db()
    assert queued_submission.status == "graded" and queued_submission.result.score == 55.0
    assert len(gradings[0]) == 2 and queued_submission.attempts == 2


def test_platform_faults_past_the_retries_end_failed_as_internal_error(queued_submission, gradings, eager_grading):
    gradings[1].extend([OSError(f"fault {n}") for n in range(10)])
    grade_submission.apply(args=[str(queued_submission.pk)])
    queued_submission.refresh_from_db()
    assert queued_submission.status == "failed" and queued_submission.result.verdict == "internal_error"
    assert "platform error" in queued_submission.result.message and "fault" in queued_submission.result.message
    assert len(gradings[0]) == grade_submission.max_retries + 1


def test_past_the_attempt_cap_a_claim_ends_failed(queued_submission, settings, gradings):
    Submission.objects.filter(pk=queued_submission.pk).update(attempts=settings.HOTPATH_GRADING_MAX_ATTEMPTS)
    done = submission_grade(submission_id=queued_submission.pk, task_id="task-9")
    assert done.status == "failed" and gradings[0] == []
    assert done.result.verdict == "internal_error" and "interrupted 5 times" in done.result.message


def _running(submission, *, worker="celery@test-worker", lease_s=60.0, started_ago_s=0.0, attempts=1):
    now = timezone.now()
    Submission.objects.filter(pk=submission.pk).update(
        status="running", grading_worker=worker, grading_task_id="old-task", attempts=attempts,
        started_at=now - timedelta(seconds=started_ago_s), lease_expires_at=now + timedelta(seconds=lease_s), enqueued_at=now)


def test_the_reaper_requeues_a_grading_whose_lease_ran_out(queued_submission, published, django_capture_on_commit_callbacks):
    _running(queued_submission, lease_s=-1)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_reap_stuck() == {"requeued": 1, "failed": 0, "republished": 0}
    queued_submission.refresh_from_db()
    assert queued_submission.status == "queued" and queued_submission.grading_token is None
    assert [kwargs["queue"] for _, kwargs in published] == ["grade.cpu"]


def test_the_reaper_requeues_the_grading_of_a_worker_that_stopped_announcing_itself(queued_submission, published, settings, django_capture_on_commit_callbacks):
    settings.HOTPATH_WORKER_LIVENESS_S = 60
    WorkerHeartbeatFactory(hostname="celery@killed", last_seen=timezone.now() - timedelta(seconds=120))
    _running(queued_submission, worker="celery@killed", started_ago_s=90)
    with django_capture_on_commit_callbacks(execute=True):
        assert submission_reap_stuck()["requeued"] == 1
    assert len(published) == 1


def test_the_reaper_leaves_a_live_workers_grading_alone(queued_submission, published, settings):
    settings.HOTPATH_WORKER_LIVENESS_S = 60
    _running(queued_submission, worker="celery@test-worker", started_ago_s=600)  # the live worker of conftest
    assert submission_reap_stuck() == {"requeued": 0, "failed": 0, "republished": 0}
    _running(queued_submission, worker="celery@just-started", started_ago_s=5)  # no heartbeat yet, but just claimed
    assert submission_reap_stuck() == {"requeued": 0, "failed": 0, "republished": 0}
    assert published == []


def test_the_reaper_fails_a_grading_interrupted_too_often(queued_submission, published, settings):
    _running(queued_submission, lease_s=-1, attempts=settings.HOTPATH_GRADING_MAX_ATTEMPTS)
    assert submission_reap_stuck()["failed"] == 1
    queued_submission.refresh_from_db()
    assert queued_submission.status == "failed" and "interrupted 5 times" in queued_submission.result.message
    assert published == []


def test_the_reaper_republishes_a_submission_the_broker_never_got(queued_submission, published):
    Submission.objects.filter(pk=queued_submission.pk).update(created_at=timezone.now() - timedelta(minutes=5), enqueued_at=None)
    fresh = SubmissionFactory(challenge_version=queued_submission.challenge_version, status="queued")  # on_commit is about to publish it
    assert submission_reap_stuck()["republished"] == 1
    assert [kwargs["args"] for _, kwargs in published] == [[str(queued_submission.pk)]]
    queued_submission.refresh_from_db()
    fresh.refresh_from_db()
    assert queued_submission.enqueued_at is not None and fresh.enqueued_at is None


def test_giving_up_leaves_a_submission_another_message_is_grading(queued_submission):
    submission_claim(submission_id=queued_submission.pk, task_id="task-1")
    submission_mark_failed(submission_id=queued_submission.pk, reason="OperationalError: gone", task_id="task-2")
    queued_submission.refresh_from_db()
    assert queued_submission.status == "running" and not Result.objects.filter(submission=queued_submission).exists()
    submission_mark_failed(submission_id=queued_submission.pk, reason="OperationalError: gone", task_id="task-1")
    queued_submission.refresh_from_db()
    assert queued_submission.status == "failed" and queued_submission.result.message == "platform error: OperationalError: gone"


def test_the_reap_stuck_command_does_one_pass_and_says_what_it_did(queued_submission, published, django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command

    _running(queued_submission, lease_s=-1)
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reap_stuck", stdout=out)
    assert out.getvalue().strip() == "re-queued 1, failed 0, republished 0"
    assert len(published) == 1
