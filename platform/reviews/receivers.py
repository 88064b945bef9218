"""Record the grader's marks once a written submission's result is stored."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from submissions.models import Result


@receiver(post_save, sender=Result, dispatch_uid="reviews.record_written_review")
def record_written_review(sender, instance: Result, created: bool, **kwargs) -> None:
    if not created or "rubric" not in (instance.metrics or {}):
        return  # later saves (our own publishing among them) leave the review alone
    submission_id = instance.submission_id

    def record() -> None:
        from reviews.services import written_review_record
        from submissions.models import Submission

        written_review_record(submission=Submission.objects.get(pk=submission_id))

    transaction.on_commit(record, robust=True)  # a review problem must never fail the grading
