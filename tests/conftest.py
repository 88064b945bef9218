"""Shared fixtures. Tests mirror the tree: tests/graders, tests/sandbox, tests/platform/<app>..."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CHALLENGES = REPO_ROOT / "tests" / "fixtures" / "challenges"


@pytest.fixture
def fixture_roots() -> list[Path]:
    return [FIXTURE_CHALLENGES]


@pytest.fixture
def package_copy(tmp_path):
    """Copy a fixture package somewhere writable, to edit it in a test."""

    def copy(slug: str) -> Path:
        target = tmp_path / "roots" / slug
        shutil.copytree(FIXTURE_CHALLENGES / slug, target)
        return target

    return copy


@pytest.fixture(autouse=True)
def fresh_caches():
    """Every test starts with empty caches: the log-in throttle counts failures there
    (accounts.throttle), and one test's failures must not lock another test out."""
    yield
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()


_DB_FIXTURES = ("db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def live_cpu_worker(request):
    """Every test with database access has a live `cpu` grading worker, as `make run` has (its
    worker announces itself), so submitting works. A test of the refusal deletes it:
    `WorkerHeartbeat.objects.all().delete()`; more workers: tests.factories.WorkerHeartbeatFactory."""
    if request.node.get_closest_marker("django_db") is None and not set(_DB_FIXTURES) & set(request.fixturenames):
        yield None
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames else "db")
    from tests.factories import WorkerHeartbeatFactory

    yield WorkerHeartbeatFactory(hostname="celery@test-worker", device_class="cpu")
