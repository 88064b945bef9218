"""Celery entry points: thin, they call one service."""
from celery import shared_task

from submissions.services import submission_grade, submission_mark_failed


@shared_task(bind=True, max_retries=3, default_retry_delay=5, acks_late=True)
def grade_submission(self, submission_id: str) -> str:
    try:
        submission = submission_grade(submission_id=submission_id)
    except Exception as exc:  # noqa: BLE001 - a platform failure: retry, then record it
        if self.request.retries >= self.max_retries:
            submission_mark_failed(submission_id=submission_id, reason=f"{type(exc).__name__}: {exc}")
            raise
        raise self.retry(exc=exc)
    return submission.status
