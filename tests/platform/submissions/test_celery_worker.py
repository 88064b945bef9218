"""A submission graded by a real Celery worker process, not eager mode: once with the embedded
defaults (SQLite + kombu's filesystem broker), once through Redis and PostgreSQL."""
import json
import os
import socket
import subprocess
import sys
import uuid

import pytest

from tests.conftest import FIXTURE_CHALLENGES, REPO_ROOT

SUBMIT = REPO_ROOT / "tests" / "platform" / "submissions" / "submit_and_wait.py"
SOLUTION = FIXTURE_CHALLENGES / "vector-add" / "starter" / "solution.py"


def run_end_to_end(env: dict) -> dict:
    env = {**os.environ, **env, "HOTPATH_CHALLENGE_DIRS": str(FIXTURE_CHALLENGES)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, "manage.py"]
    for command in (["migrate", "--noinput", "-v0"], ["sync_challenges"]):
        subprocess.run(manage + command, cwd=REPO_ROOT, env=env, check=True, capture_output=True, timeout=300)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "hotpath", "--workdir", "platform", "worker", "-Q", "grade.cpu", "-P", "solo", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        proc = subprocess.run([sys.executable, str(SUBMIT), "vector-add", str(SOLUTION)], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=400)
    finally:
        worker.terminate()
        try:
            log = worker.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            worker.kill()
            log = worker.communicate()[0]
    assert proc.returncode == 0, proc.stderr[-3000:]
    outcome = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "grade_submission" in log, log[-3000:]  # the worker process really ran the task
    return outcome


@pytest.mark.slow
def test_real_worker_with_embedded_broker_and_sqlite(tmp_path):
    outcome = run_end_to_end({
        "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
        "CELERY_BROKER_URL": "filesystem://",
        "HOTPATH_BROKER_DIR": str(tmp_path / "broker"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    })
    assert outcome == {"status": "graded", "verdict": "accepted", "score": outcome["score"]}
    assert outcome["score"] >= 40


def _reachable(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def postgres_database():
    if not _reachable(5432):
        pytest.skip("PostgreSQL is not listening on 127.0.0.1:5432")
    import psycopg

    name = f"hotpath_e2e_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.services
def test_real_worker_through_redis_and_postgres(postgres_database):
    if not _reachable(6379):
        pytest.skip("Redis is not listening on 127.0.0.1:6379")
    outcome = run_end_to_end({"DATABASE_URL": postgres_database, "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15"})
    assert outcome["status"] == "graded" and outcome["verdict"] == "accepted"
