"""Fixtures for assessments: two organisations with their members, a code challenge (vector-add)
and a written question (debug-regression), a server clock the test can move, and canned grading
(the grading itself has its own tests; seed_demo's test runs one real grading)."""
from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from graders.result import GradeResult
from tests.conftest import REPO_ROOT
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, synced_challenge

PASSWORD = "correct-horse-battery"


def rubric(*, needs_review: bool = True) -> dict:
    return {
        "score": 3.5, "max": 10, "needs_review": needs_review, "flags": [], "pass_mark": 60,
        "criteria": [
            {"id": "baseline", "points": 1, "max": 2, "confidence": 0.55, "evidence": "nvidia-smi first", "kind": "criterion", "min": 0,
             "description": "Measures a baseline before changing anything"},
            {"id": "hypothesis_bisect", "points": 2, "max": 2, "confidence": 0.9, "evidence": "Bisect the diff.", "kind": "criterion", "min": 0},
            {"id": "verify_fix", "points": 0.5, "max": 6, "confidence": 0.95, "evidence": "DCGM", "kind": "criterion", "min": 0},
        ],
    }


def canned(job) -> GradeResult:
    if job.slug == "vector-add":
        return GradeResult(
            verdict="accepted", score=72.5, message="all shapes correct; speedup 1.4x", flags=["noisy"],
            checks=[{"name": "correctness", "status": "pass", "detail": "3 shapes"}],
            metrics={"speedup": 1.4, "speedup_ci": [1.3, 1.5], "latency_ms": {"median": 0.2, "p10": 0.19, "p90": 0.22, "n": 40}, "tier": 1,
                     "profile": {"kernel_count": 3, "launches_per_call": 1.0, "top_ops_by_self_cpu": [{"name": "aten::add"}]}},
            log="")
    return GradeResult(verdict="accepted", score=35.0, message="", checks=[{"name": "rubric", "status": "skip", "detail": "awaiting review"}],
                       metrics={"rubric": rubric(), "speedup": None, "latency_ms": None})


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """These tests make a dozen users; PBKDF2 costs seconds each on a shared CI machine."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fake_grading(monkeypatch, eager_grading):
    import submissions.services

    jobs = []

    def grade(job):
        jobs.append(job)
        return canned(job)

    monkeypatch.setattr(submissions.services, "grade", grade)
    return jobs


class Clock:
    """The server's clock, moved by the test (django.utils.timezone.now, which every rule reads)."""

    def __init__(self, monkeypatch):
        self.offset = datetime.timedelta()
        real = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real() + self.offset)

    def advance(self, **kwargs) -> None:
        from workers.models import WorkerHeartbeat

        self.offset += datetime.timedelta(**kwargs)
        WorkerHeartbeat.objects.update(last_seen=timezone.now())  # the worker kept beating meanwhile


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def vector_add(db):
    return synced_challenge("vector-add")


@pytest.fixture
def written(db):
    return synced_challenge("debug-regression", root=REPO_ROOT / "challenges")


def _org(slug: str) -> dict:
    org = OrganisationFactory(slug=slug, name=slug.title())
    people = {"org": org}
    for role in ("owner", "recruiter", "reviewer"):
        people[role] = UserFactory(username=f"{slug}-{role}")
        MembershipFactory(organisation=org, user=people[role], role=role)
    return people


@pytest.fixture
def acme(db):
    return _org("acme")


@pytest.fixture
def globex(db):
    return _org("globex")


def login(client, user):
    client.force_login(user)
    return client
