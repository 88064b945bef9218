"""Celery entry point: re-verification runs where the contest's device class grades."""
from celery import shared_task
from django.contrib.auth import get_user_model

from contests.models import Contest
from contests.services import contest_reverify


@shared_task(acks_late=True)
def reverify_contest(contest_id: int, actor_id: int) -> int:
    verifications = contest_reverify(contest=Contest.objects.get(pk=contest_id), actor=get_user_model().objects.get(pk=actor_id))
    return len(verifications)


def queue_reverification(*, contest: Contest, actor) -> None:
    """Queue it on `grade.<device class>`: the entries are re-graded on the hardware they ran on."""
    reverify_contest.apply_async(args=[contest.pk, actor.pk], queue=f"grade.{contest.device_class}")
