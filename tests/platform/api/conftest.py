"""API tests go through the real HTTP stack: a live server (pytest-django) and `requests`."""
from __future__ import annotations

import pytest
import requests
from rest_framework.authtoken.models import Token

from graders.result import GradeResult


class Http(requests.Session):
    """A session whose paths are relative to the live server (`http.get("/api/challenges/")`)."""

    def __init__(self, base: str, token: str | None = None):
        super().__init__()
        self.base = base
        if token:
            self.headers["Authorization"] = f"Token {token}"

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 60)
        return super().request(method, self.base + url, *args, **kwargs)


@pytest.fixture
def token(user) -> Token:
    return Token.objects.create(user=user)


@pytest.fixture
def anon(live_server) -> Http:
    return Http(live_server.url)


@pytest.fixture
def http(live_server, token) -> Http:
    return Http(live_server.url, token.key)


ACCEPTED = GradeResult(
    verdict="accepted", score=72.5, message="all shapes correct; speedup 1.4x",
    checks=[{"name": "correctness", "status": "pass", "detail": "3 shapes"}, {"name": "latency", "status": "pass", "detail": "1.4x"}],
    metrics={"speedup": 1.4, "speedup_ci": [1.3, 1.5], "latency_ms": {"median": 0.2, "p10": 0.19, "p90": 0.22, "n": 40}, "tier": 2},
    log="candidate says hi\n",
)


@pytest.fixture
def fake_grading(monkeypatch, eager_grading):
    """Grade inline with a canned result: for tests of the API, not of the grading."""
    import submissions.services

    seen = []

    def grade(job):
        seen.append(job)
        return GradeResult(**{**ACCEPTED.__dict__, "checks": list(ACCEPTED.checks), "metrics": dict(ACCEPTED.metrics)})

    monkeypatch.setattr(submissions.services, "grade", grade)
    return seen


@pytest.fixture
def queued(monkeypatch):
    """Record what would be queued for grading instead of queueing it (nothing is graded)."""
    from submissions.tasks import grade_submission

    calls = []
    monkeypatch.setattr(grade_submission, "apply_async", lambda *args, **kwargs: calls.append((args, kwargs)))
    return calls
