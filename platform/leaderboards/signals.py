"""Results reach the boards through these receivers: every path that saves a Result (grading,
a reviewer's re-scoring, an admin edit) is covered without each one remembering to call us."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from leaderboards.services import leaderboard_entry_refresh_safely, leaderboard_result_saved
from submissions.models import Result, Submission


@receiver(post_save, sender=Result, dispatch_uid="leaderboards.result_saved")
def _result_saved(sender, instance: Result, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: rows arrive in any order; rebuild_leaderboards afterwards
        return
    leaderboard_result_saved(submission_id=instance.submission_id)


@receiver(post_delete, sender=Result, dispatch_uid="leaderboards.result_deleted")
def _result_deleted(sender, instance: Result, **kwargs) -> None:
    # Now, and again after the commit: when the whole submission is being deleted, the entry
    # refreshed now may still go with it (CASCADE); the second pass, by user, challenge and
    # device class, finds the user's other results.
    triple = Submission.objects.filter(pk=instance.submission_id).values_list("user_id", "challenge_version__challenge_id", "device_class").first()
    if triple is None:
        return
    key = {"user_id": triple[0], "challenge_id": triple[1], "device_class": triple[2]}
    leaderboard_entry_refresh_safely(**key)
    transaction.on_commit(lambda: leaderboard_entry_refresh_safely(**key))
