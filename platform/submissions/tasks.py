"""Celery entry points: thin, they call one service.

grade_submission is acknowledged late and put back if its worker dies (CELERY_TASK_REJECT_ON_WORKER_LOST);
its soft and hard time limits come with each message (services.grading_time_limits). A candidate's
failure is a verdict, recorded once; only a platform fault (an exception: database or broker
unreachable, the soft time limit) is retried, with a doubling delay, then recorded as `failed`.
"""
import logging

from celery import shared_task
from django.conf import settings

from submissions.models import Submission
from submissions.reaper import submission_reap_stuck
from submissions.services import submission_grade, submission_mark_failed

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=settings.HOTPATH_GRADING_RETRIES)
def grade_submission(self, submission_id: str) -> str:
    try:
        submission = submission_grade(submission_id=submission_id, task_id=self.request.id or "", worker=self.request.hostname or "")
    except Submission.DoesNotExist:
        logger.warning("submission %s no longer exists; nothing to grade", submission_id)
        return "missing"
    except Exception as exc:  # noqa: BLE001 - a platform fault: retry, then record it
        if self.request.retries >= self.max_retries:
            submission_mark_failed(submission_id=submission_id, reason=f"{type(exc).__name__}: {exc}", task_id=self.request.id or "")
            return Submission.Status.FAILED
        raise self.retry(exc=exc, countdown=settings.HOTPATH_GRADING_RETRY_DELAY_S * 2 ** self.request.retries)
    return submission.status


@shared_task(ignore_result=True)
def reap_stuck() -> dict:
    return submission_reap_stuck()
