"""A submission that reaches a final status (graded, or failed by the platform) notifies its
user's webhooks once the grading's transaction commits. A signal, so that the grading code
needs no knowledge of webhooks."""
import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from submissions.models import Submission

logger = logging.getLogger(__name__)
FINAL = {Submission.Status.GRADED, Submission.Status.FAILED}


@receiver(post_save, sender=Submission, dispatch_uid="webhooks.submission_final")
def _submission_saved(sender, instance: Submission, created: bool, update_fields=None, **kwargs) -> None:
    if instance.status not in FINAL or (update_fields is not None and "status" not in update_fields):
        return
    submission_id = instance.pk
    transaction.on_commit(lambda: _notify_safely(submission_id))


def _notify_safely(submission_id) -> None:
    """A webhook problem never undoes or fails a grading."""
    from webhooks.services import submission_graded_notify

    try:
        submission_graded_notify(submission_id=submission_id)
    except Exception:  # noqa: BLE001 - logged; the grading stands
        logger.exception("queueing the webhooks of submission %s failed", submission_id)
