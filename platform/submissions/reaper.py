"""The reaper: gradings that nobody will finish are put back (submissions.tasks.reap_stuck, every
HOTPATH_REAPER_INTERVAL_S under `celery beat`; `manage.py reap_stuck` does one pass by hand).

- `running` past its lease (the task's hard limit and a margin: its worker died, or the broker
  lost the message), or held by a worker that stopped announcing itself (killed: its heartbeat
  lapsed past HOTPATH_WORKER_LIVENESS_S), goes back to `queued` on a new message, or ends
  `failed` (internal_error) once it was claimed HOTPATH_GRADING_MAX_ATTEMPTS times.
- `queued` whose message never reached the broker (it was down at submit time), or was
  published longer ago than the broker's visibility timeout (the broker lost it), is published
  again. A duplicate message is harmless: the claim lets one attempt grade (services.submission_claim).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from graders import verdicts
from graders.result import GradeResult
from submissions.models import Submission
from submissions.services import submission_publish, submission_record_result
from workers.selectors import live_worker_hostnames

logger = logging.getLogger(__name__)
UNPUBLISHED_GRACE_S = 30.0  # a submission's message is published on commit: give it that long


def submission_reap_stuck(*, now: datetime | None = None) -> dict[str, int]:
    """One pass; returns how many gradings were re-queued, failed and republished."""
    now = now or timezone.now()
    counts = {"requeued": 0, "failed": 0, "republished": 0}
    for pk in _stuck_running(now).values_list("pk", flat=True):
        outcome = _put_back(pk, now)
        if outcome:
            counts[outcome] += 1
    for submission in _unpublished(now).select_related("challenge_version"):
        counts["republished"] += submission_publish(submission=submission)
    if any(counts.values()):
        logger.warning("reaper: %(requeued)d re-queued, %(failed)d failed, %(republished)d republished", counts)
    return counts


def _stuck_running(now: datetime):
    liveness = timedelta(seconds=settings.HOTPATH_WORKER_LIVENESS_S)
    worker_gone = ~Q(grading_worker="") & ~Q(grading_worker__in=live_worker_hostnames()) & Q(started_at__lt=now - liveness)
    return Submission.objects.filter(Q(lease_expires_at__lt=now) | worker_gone, status=Submission.Status.RUNNING)


def _unpublished(now: datetime):
    never = Q(enqueued_at__isnull=True, created_at__lt=now - timedelta(seconds=UNPUBLISHED_GRACE_S))
    lost = Q(enqueued_at__lt=now - timedelta(seconds=settings.HOTPATH_BROKER_VISIBILITY_TIMEOUT_S))
    return Submission.objects.filter(never | lost, status=Submission.Status.QUEUED)


@transaction.atomic
def _put_back(pk, now: datetime) -> str | None:
    """Under the row's lock, and only if it is still stuck (its worker may have just finished)."""
    if not _stuck_running(now).filter(pk=pk).select_for_update().exists():
        return None
    submission = Submission.objects.select_for_update().get(pk=pk)
    if submission.attempts >= settings.HOTPATH_GRADING_MAX_ATTEMPTS:
        submission_record_result(submission=submission, result=GradeResult(
            verdict=verdicts.INTERNAL_ERROR,
            message=f"platform error: the grading was interrupted {submission.attempts} times (last on {submission.grading_worker or 'an unknown worker'})"))
        return "failed"
    logger.warning("submission %s: grading on %s (task %s) was interrupted; queued again", pk, submission.grading_worker, submission.grading_task_id)
    submission.status = Submission.Status.QUEUED
    submission.grading_token, submission.grading_task_id, submission.lease_expires_at, submission.enqueued_at = None, "", None, None
    submission.save(update_fields=["status", "grading_token", "grading_task_id", "lease_expires_at", "enqueued_at"])
    transaction.on_commit(lambda: submission_publish(submission=submission))
    return "requeued"
