"""How often one user may submit: the one rule for every path (web form, API and CLI, assessment
sessions, contests). Counted from the database, so it holds across web processes and machines
and counts every path together. The rate is HOTPATH_SUBMISSION_RATE, "N/second|minute|hour|day"."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone

from submissions.models import Submission

PERIODS_S = {"s": 1, "second": 1, "m": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


@dataclass(frozen=True)
class SubmissionRate:
    count: int
    period_s: int


class SubmissionRateLimited(ValidationError):
    """Too many submissions within the period; `retry_after_s` says when the next one is taken."""

    def __init__(self, *, rate: SubmissionRate, retry_after_s: int):
        super().__init__(f"You have made {rate.count} submissions in the last {_period_text(rate.period_s)}, the most allowed; "
                         f"try again in {retry_after_s} second{'s' if retry_after_s != 1 else ''}. Your code was not submitted.",
                         code="rate_limited")
        self.rate, self.retry_after_s = rate, retry_after_s


def _period_text(period_s: int) -> str:
    for name, seconds in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if period_s == seconds:
            return name
    return f"{period_s} seconds"


def submission_rate() -> SubmissionRate:
    """HOTPATH_SUBMISSION_RATE parsed ("30/minute"); a malformed value is a configuration error."""
    text = str(settings.HOTPATH_SUBMISSION_RATE).strip().lower()
    count, _, period = text.partition("/")
    if not count.isdigit() or int(count) < 1 or period not in PERIODS_S:
        raise ImproperlyConfigured(f"HOTPATH_SUBMISSION_RATE must look like 30/minute (N/second|minute|hour|day), not {text!r}.")
    return SubmissionRate(count=int(count), period_s=PERIODS_S[period])


def submission_retry_after(*, user) -> int | None:
    """Seconds until `user` may submit again, or None when a submission is taken now."""
    rate = submission_rate()
    now = timezone.now()
    recent = list(Submission.objects.filter(user=user, created_at__gt=now - timedelta(seconds=rate.period_s))
                  .order_by("-created_at").values_list("created_at", flat=True)[: rate.count])
    if len(recent) < rate.count:
        return None
    oldest_counted = recent[-1]
    return max(math.ceil((oldest_counted + timedelta(seconds=rate.period_s) - now).total_seconds()), 1)


def submission_rate_check(*, user) -> None:
    """Raises SubmissionRateLimited when `user` has used up the rate; call before creating a submission."""
    retry_after = submission_retry_after(user=user)
    if retry_after is not None:
        raise SubmissionRateLimited(rate=submission_rate(), retry_after_s=retry_after)
