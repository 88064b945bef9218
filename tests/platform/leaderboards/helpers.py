"""Graded results with a chosen time, score, speedup and flags, saved the way grading saves them."""
from __future__ import annotations

import datetime

from django.utils import timezone

from submissions.models import Submission
from tests.factories import ChallengeVersionFactory, ResultFactory, SubmissionFactory

T0 = timezone.make_aware(datetime.datetime(2026, 11, 1, 12, 0))


def version_of(challenge):
    return challenge.current_version or ChallengeVersionFactory(challenge=challenge)


def graded(*, user, challenge, score=40.0, speedup=1.0, ci=None, minutes=0, flags=(), verdict="accepted", device_class="cpu"):
    """A submission made T0 + `minutes`, then its Result saved (which updates the boards)."""
    submission = SubmissionFactory(user=user, challenge_version=version_of(challenge), device_class=device_class)
    Submission.objects.filter(pk=submission.pk).update(created_at=T0 + datetime.timedelta(minutes=minutes))
    metrics = {"speedup": speedup, "latency_ms": None}
    if ci is not None:
        metrics["speedup_ci"] = list(ci)
    ResultFactory(submission=submission, verdict=verdict, score=score, metrics=metrics, flags=list(flags))
    return submission


def user(username: str | None = None, **kwargs):
    """A user without a hashed password (hashing costs about a second each on a busy CI core)."""
    from tests.factories import UserFactory

    return UserFactory(**({"username": username} if username else {}), password=None, **kwargs)
