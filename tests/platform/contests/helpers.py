"""Contests at a chosen phase, and graded entries at chosen times."""
from __future__ import annotations

import datetime

from django.utils import timezone

from contests.selectors import contest_challenges
from contests.services import contest_create
from tests.factories import ChallengeVersionFactory, ContestSubmissionFactory, ResultFactory, SubmissionFactory
from tests.platform.leaderboards.helpers import user

HOUR = datetime.timedelta(hours=1)


def make_contest(*, slug="race", phase="running", freeze=False, challenges=None, organisers=(), **options):
    """running: started 2 h ago, ends in 2 h (freeze, if any, 1 h ago); ended: ended 1 h ago
    (freeze 2 h ago)."""
    now = timezone.now()
    starts, ends = (now - 2 * HOUR, now + 2 * HOUR) if phase == "running" else (now - 5 * HOUR, now - HOUR)
    freeze_at = (now - HOUR if phase == "running" else now - 2 * HOUR) if freeze else None
    challenges = challenges or [ChallengeVersionFactory(challenge__slug=f"{slug}-a").challenge, ChallengeVersionFactory(challenge__slug=f"{slug}-b").challenge]
    return contest_create(slug=slug, title=slug.title(), starts_at=starts, ends_at=ends, freeze_at=freeze_at, challenges=challenges,
                          organisers=list(organisers), rules_md="# Rules\nFastest *correct* kernel wins.", **options)


def entry(*, contest, who, challenge=None, score=50.0, speedup=1.0, ci=None, at=None, files=None, verdict="accepted"):
    """A graded contest entry by `who` (a user or a username) at time `at` (default: now)."""
    who = user(who) if isinstance(who, str) else who
    challenge = challenge or contest_challenges(contest=contest)[0]
    submission = SubmissionFactory(user=who, challenge_version=challenge.current_version, **({"files": files} if files else {}))
    link = ContestSubmissionFactory(contest=contest, submission=submission, created_at=at or timezone.now())
    metrics = {"speedup": speedup, "latency_ms": None, **({"speedup_ci": list(ci)} if ci else {})}
    ResultFactory(submission=submission, verdict=verdict, score=score, metrics=metrics)
    return link
