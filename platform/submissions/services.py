"""Writes for submissions: create (queue), grade, record the result."""
from __future__ import annotations

import logging
import tarfile
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.utils import timezone

from catalog.models import Challenge
from catalog.selectors import ANSWER_KINDS, runs_on
from graders import verdicts
from graders.pipeline import INTERNAL_RETRIES, SANDBOX_MARGIN_S, GradeJob, JobError, grade
from graders.result import GradeResult, LOG_CAP_BYTES
from graders.submission_files import SubmissionFilesError, validate_submission_files
from reviews.services import written_review_record
from submissions.models import Result, Submission
from submissions.progress import ProgressWriter
from submissions.rules import result_solves
from workers.devices import DEVICE_KINDS, DeviceClassError, device_kind_of, normalize_device_class
from workers.selectors import live_device_classes

logger = logging.getLogger(__name__)


def validate_files(*, files: dict[str, str]) -> dict[str, str]:
    """The files, if they keep the submission rules (graders.submission_files); else a ValidationError."""
    try:
        validate_submission_files(files)
    except SubmissionFilesError as exc:
        raise ValidationError(str(exc)) from None
    return files


class DeviceClassUnavailable(ValidationError):
    """No live worker serves the device class a submission asks for (or, asked for a kind only,
    no live class of that kind): refused at submit time, never queued to wait for nobody."""


@transaction.atomic
def submission_create(*, user, challenge: Challenge, files: dict[str, str], device: str | None = None, device_class: str | None = None) -> Submission:
    """Store the files against the challenge's current version and queue the grading on the
    device class's queue. Raises ValidationError for bad input, DeviceClassUnavailable when no
    live worker serves the class."""
    if not challenge.is_active or challenge.current_version is None:
        raise ValidationError("This challenge is not open for submissions.")
    version = challenge.current_version
    device, device_class = _device_and_class(challenge, version, device=device, device_class=device_class)
    submission = Submission.objects.create(
        user=user,
        challenge_version=version,
        files=validate_files(files=files),
        device=device,
        device_class=device_class,
    )
    transaction.on_commit(lambda: submission_publish(submission=submission))
    return submission


def _device_and_class(challenge: Challenge, version, *, device: str | None, device_class: str | None) -> tuple[str, str]:
    """The device kind and the live class to grade on. A class decides the kind (DESIGN
    "Devices"); a kind alone gets its live class with the most free slots."""
    if device is not None and device not in DEVICE_KINDS:
        raise ValidationError(f"Unknown device {device!r}; choose {' or '.join(DEVICE_KINDS)}.")
    if device_class:
        try:
            device_class = normalize_device_class(device_class)
        except DeviceClassError as exc:
            raise ValidationError(str(exc)) from None
        kind = device_kind_of(device_class)
        if device is not None and device != kind:
            raise ValidationError(f"Device class {device_class} grades on {kind}, not {device}.")
        device = kind
    any_class = challenge.kind in ANSWER_KINDS and device is None  # a written answer needs no particular device
    device = device or _default_device(challenge, version)
    if not runs_on(challenge, device):
        raise ValidationError(f"This challenge does not run on {device}; it runs on {', '.join(version.device_kinds) or 'no device'}.")
    live = live_device_classes()
    if not device_class:
        device_class = _pick_class(live, device, any_class=any_class)
    if not any(row["name"] == device_class for row in live):
        raise DeviceClassUnavailable(f"No worker for device class {device_class} is online, so it cannot grade now. {_online(live)}")
    return device, device_class


def _default_device(challenge: Challenge, version) -> str:
    if challenge.kind in ANSWER_KINDS or "cpu" in version.device_kinds or not version.device_kinds:
        return "cpu"
    return version.device_kinds[0]


def _pick_class(live: list[dict], device: str, *, any_class: bool) -> str:
    candidates = [row for row in live if device_kind_of(row["name"]) == device] or (live if any_class else [])
    if not candidates:
        raise DeviceClassUnavailable(f"No {device} worker is online, so {device} submissions cannot be graded now. {_online(live)}")
    return max(candidates, key=lambda row: (row["free_slots"], row["last_seen"]))["name"]


def _online(live: list[dict]) -> str:
    return f"Online: {', '.join(row['name'] for row in live)}." if live else "No grading worker is online."


SETUP_S = 60.0  # unpacking the version's package, the claim and the record, around the sandbox runs
MARGIN_S = 30.0  # soft limit (the task can still record) -> hard limit (the pool kills it) -> end of the lease
RECORD_RETRY_S = 60.0  # a finished grading waits this long for the database to come back before it is redone


@dataclass(frozen=True)
class TimeLimits:
    soft_s: float
    hard_s: float
    lease_s: float


def grading_time_limits(*, version, device: str) -> TimeLimits:
    """The grading task's limits, from the version's wall-time limit on the device: the pipeline
    runs the sandbox up to 1 + INTERNAL_RETRIES times, each up to wall_s + SANDBOX_MARGIN_S.
    HOTPATH_GRADING_TIME_LIMIT_S, where set (> 0), caps the soft limit."""
    device_spec = ((version.spec or {}).get("devices") or {}).get(device) or {}
    wall_s = float((device_spec.get("limits") or {}).get("wall_s", 60))
    soft = (1 + INTERNAL_RETRIES) * (wall_s + SANDBOX_MARGIN_S) + SETUP_S
    if settings.HOTPATH_GRADING_TIME_LIMIT_S > 0:
        soft = min(soft, settings.HOTPATH_GRADING_TIME_LIMIT_S)
    margin = min(MARGIN_S, soft / 2)  # a capped (test) limit keeps the same order: soft < hard < lease
    return TimeLimits(soft_s=soft, hard_s=soft + margin, lease_s=soft + 2 * margin)


def submission_publish(*, submission: Submission) -> bool:
    """Publish the grading message on the class's queue. A broker that is down is logged, not
    raised: the submission stays queued and the reaper publishes it again (submissions.reaper)."""
    from submissions.tasks import grade_submission

    limits = grading_time_limits(version=submission.challenge_version, device=submission.device)
    try:
        grade_submission.apply_async(args=[str(submission.pk)], queue=submission.queue,
                                     soft_time_limit=limits.soft_s, time_limit=limits.hard_s)
    except Exception:  # noqa: BLE001 - the broker is unreachable; the row keeps the submission
        logger.exception("queueing submission %s failed; the reaper will queue it again", submission.pk)
        return False
    Submission.objects.filter(pk=submission.pk, status=Submission.Status.QUEUED).update(enqueued_at=timezone.now())
    return True


def submission_grade(*, submission_id: str, task_id: str = "", worker: str = "") -> Submission:
    """Grade one submission against the version it was made on, and record the result, unless
    another attempt holds it or it is finished (a redelivered or duplicate message)."""
    claim = submission_claim(submission_id=submission_id, task_id=task_id, worker=worker)
    if claim is None:
        return Submission.objects.get(pk=submission_id)
    submission = claim.submission
    version = submission.challenge_version
    with tempfile.TemporaryDirectory(prefix="hotpath-version-") as tmp:
        package_dir = _extract_package(bytes(version.package_archive), Path(tmp))
        job = GradeJob(
            slug=version.challenge.slug,
            files=submission.files,
            device=submission.device,
            device_class=submission.device_class if submission.device != "cpu" else None,
            backend=settings.HOTPATH_SANDBOX_BACKEND,
            package_dir=package_dir,
            gpu=settings.HOTPATH_GPU_INDEX if submission.device == "cuda" else None,
            on_progress=ProgressWriter(submission_id=submission.pk),  # the stages, live (submissions.progress)
        )
        try:
            result = grade(job)
        except JobError as exc:
            result = GradeResult(verdict=verdicts.INTERNAL_ERROR, message=f"cannot grade: {exc}")
    return _record_through_outage(submission=submission, result=result, token=claim.token)


@dataclass(frozen=True)
class Claim:
    submission: Submission
    token: uuid.UUID


@transaction.atomic
def submission_claim(*, submission_id: str, task_id: str = "", worker: str = "") -> Claim | None:
    """Mark the submission running under a fresh token and a lease, for this task and worker.
    None when it is finished, or when another message holds a lease that still runs (a
    duplicate). The same task id takes its own claim over: the attempt before it is over (it
    retried, or its worker died: a live task never outlives its hard limit, nor a message the
    broker's visibility timeout). Past HOTPATH_GRADING_MAX_ATTEMPTS claims it ends `failed`."""
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    if submission.is_done:
        return None
    now = timezone.now()
    if _held_by_another(submission, task_id=task_id, now=now):
        logger.info("submission %s is being graded by task %s; message %s dropped", submission.pk, submission.grading_task_id, task_id)
        return None
    if submission.attempts >= settings.HOTPATH_GRADING_MAX_ATTEMPTS:
        submission_record_result(submission=submission, result=GradeResult(
            verdict=verdicts.INTERNAL_ERROR, message=f"platform error: the grading was interrupted {submission.attempts} times"))
        return None
    limits = grading_time_limits(version=submission.challenge_version, device=submission.device)
    token = uuid.uuid4()
    submission.status = Submission.Status.RUNNING
    submission.started_at = now
    submission.attempts += 1
    submission.grading_token, submission.grading_task_id, submission.grading_worker = token, task_id[:64], worker[:200]
    submission.lease_expires_at = now + timedelta(seconds=limits.lease_s)
    submission.save(update_fields=["status", "started_at", "attempts", "grading_token", "grading_task_id", "grading_worker", "lease_expires_at"])
    return Claim(submission=submission, token=token)


def _held_by_another(submission: Submission, *, task_id: str, now=None) -> bool:
    lease = submission.lease_expires_at
    running = submission.status == Submission.Status.RUNNING and lease is not None and lease > (now or timezone.now())
    return running and submission.grading_task_id != task_id


def _record_through_outage(*, submission: Submission, result: GradeResult, token: uuid.UUID) -> Submission:
    """A finished grading is not thrown away because the database restarts: the record is
    retried for RECORD_RETRY_S, on a fresh connection each time."""
    deadline, delay = time.monotonic() + RECORD_RETRY_S, 0.5
    while True:
        try:
            return submission_record_result(submission=submission, result=result, token=token)
        except (OperationalError, InterfaceError):
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("recording submission %s failed (database unreachable); retrying in %.1f s", submission.pk, delay)
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 8.0)


@transaction.atomic
def submission_record_result(*, submission: Submission, result: GradeResult, token: uuid.UUID | None = None) -> Submission:
    """Store the result; a written answer's result also gets its review (which then publishes
    the score the candidate sees: see reviews.services.written_review_record).

    Compare-and-set under the row's lock: a finished submission keeps its result, and with a
    `token` (the grading task's claim) only the claim's holder records; None is for trusted
    callers that grade inline (tests, seed_demo)."""
    current = Submission.objects.select_for_update().get(pk=submission.pk)
    if current.is_done or (token is not None and current.grading_token != token):
        logger.info("submission %s: result %s not recorded (status %s, claim %s)", submission.pk,
                    result.verdict, current.status, "ours" if current.grading_token == token else "lost")
        return current
    data = result.as_dict()
    Result.objects.update_or_create(
        submission=submission,
        defaults={
            "verdict": data["verdict"],
            "score": data["score"],
            "message": data["message"][:2000],
            "flags": data["flags"],
            "checks": data["checks"],
            "metrics": data["metrics"],
            "log": data["log"][:LOG_CAP_BYTES],
            "solved": result_solves(verdict=data["verdict"], metrics=data["metrics"]),
        },
    )
    failed = data["verdict"] == verdicts.INTERNAL_ERROR
    submission.status = Submission.Status.FAILED if failed else Submission.Status.GRADED
    submission.error = data["message"] if failed else ""
    submission.finished_at = timezone.now()
    submission.grading_token, submission.lease_expires_at = None, None
    submission.save(update_fields=["status", "error", "finished_at", "grading_token", "lease_expires_at"])
    if "rubric" in data["metrics"]:
        _record_review(submission)
    return submission


def _record_review(submission: Submission) -> None:
    """In its own savepoint: a review problem must never fail the grading it comes from."""
    try:
        with transaction.atomic():
            written_review_record(submission=submission)
    except Exception:  # noqa: BLE001 - logged; the result stands and the review can be re-recorded
        logger.exception("recording the written review of submission %s failed", submission.pk)


@transaction.atomic
def submission_mark_failed(*, submission_id: str, reason: str, task_id: str = "") -> None:
    """The platform gave up (task retries ran out): shown as a platform error, never counted.
    Not while another message's claim still runs: that attempt may yet grade it."""
    submission = Submission.objects.select_for_update().get(pk=submission_id)
    if submission.is_done or _held_by_another(submission, task_id=task_id):
        return
    submission_record_result(submission=submission, result=GradeResult(verdict=verdicts.INTERNAL_ERROR, message=f"platform error: {reason}"))


def _extract_package(archive: bytes, into: Path) -> Path:
    with tarfile.open(fileobj=BytesIO(archive), mode="r:gz") as tar:
        tar.extractall(into, filter="data")
    (package,) = [p for p in into.iterdir() if p.is_dir()]
    return package
