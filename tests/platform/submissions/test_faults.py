"""Faults under load, against real processes (docs/operations.md "Fault tests"): a Redis
(append-only file on) and a PostgreSQL of the tests' own, on free ports with their own data
folders; real Celery workers (prefork) and celery beat running the reaper.

The workers grade with a fast stand-in for the sandbox (fault_worker.py, 0.3 s a grading):
200 real sandbox gradings take about 6 minutes of both cores of a CI machine, and what these
tests judge is the queue, the claim, the retries and the reaper, not the sandbox (a real
grading through a real worker, Redis and PostgreSQL: test_celery_worker.py).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import time
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import pytest

from tests.conftest import FIXTURE_CHALLENGES
from tests.platform.submissions import realstack

pytestmark = pytest.mark.slow  # not `services`: these tests start the services they use
LOAD = 200
CUDA_TABLE = """
[devices.cuda]
shapes = [[4096]]
tolerance = { metric = "rel_l2", float16 = 1e-3 }
limits = { wall_s = 30, call_s = 3, memory_mb = 1024 }
targets = { speedup = [0.5, 1.0] }
"""


@pytest.fixture(scope="module")
def stack():
    missing = realstack.missing_binaries()
    if missing:
        pytest.skip(f"the fault tests start their own Redis and PostgreSQL; not installed here: {', '.join(missing)}")
    root = realstack.service_root()
    roots = root / "challenges"
    shutil.copytree(FIXTURE_CHALLENGES / "vector-add", roots / "vector-add")
    with (roots / "vector-add" / "challenge.toml").open("a") as toml:
        toml.write(CUDA_TABLE)  # so that a GPU class may be asked for (the stand-in grader runs no CUDA)
    stack = realstack.Stack(root=root, redis=realstack.redis_service(root), postgres=realstack.postgres_service(root))
    try:
        stack.redis.start()
        stack.postgres.start()
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{stack.postgres.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE hotpath")
        stack.env = _environment(stack, roots)
        stack.manage("migrate", "--noinput", "-v0")
        stack.manage("sync_challenges")
        yield stack
    finally:
        stack.stop_all()
        if os.environ.get("HOTPATH_FAULTS_KEEP"):  # the services' and workers' logs, to read after a failure
            print(f"fault-test folder kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def _environment(stack: realstack.Stack, roots: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update({
        "DATABASE_URL": stack.database_url(),
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{stack.redis.port}/0",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "HOTPATH_CHALLENGE_DIRS": str(roots),
        "HOTPATH_WORKER_HEARTBEAT_S": "1",
        "HOTPATH_WORKER_LIVENESS_S": "5",
        # short limits, in the same order as in production: soft < hard < lease < visibility timeout
        "HOTPATH_GRADING_TIME_LIMIT_S": "10",
        "HOTPATH_BROKER_VISIBILITY_TIMEOUT_S": "40",
        "HOTPATH_GRADING_RETRY_DELAY_S": "1",
        "HOTPATH_REAPER_INTERVAL_S": "2",
        "FAULT_GRADINGS_LOG": str(stack.root / "gradings.log"),
        "FAULT_GRADE_S": "0.3",
        "LOG_LEVEL": "INFO",
    })
    return env


class Database:
    """Reads of the stack's PostgreSQL from the test process; patient while it restarts."""

    def __init__(self, stack: realstack.Stack):
        self.url = f"postgresql://postgres@127.0.0.1:{stack.postgres.port}/hotpath"

    def rows(self, sql: str, params=()) -> list[tuple]:
        for _ in range(60):
            try:
                with psycopg.connect(self.url, connect_timeout=3) as conn:
                    return conn.execute(sql, params).fetchall()
            except psycopg.OperationalError:
                time.sleep(0.5)
        raise RuntimeError("the test PostgreSQL did not come back")

    def statuses(self, ids: list[str]) -> Counter:
        return Counter(dict(self.rows("SELECT status, count(*) FROM submissions_submission WHERE id = ANY(%s::uuid[]) GROUP BY status", (ids,))))


def gradings(stack: realstack.Stack) -> list[list[str]]:
    """`start|done MARKER NODE PID CLASS` lines the stand-in grader wrote."""
    path = stack.root / "gradings.log"
    return [line.split() for line in path.read_text().splitlines()] if path.exists() else []


def submit(stack, *args: str) -> dict:
    proc = stack.script("fault_submit.py", "vector-add", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.3)


def test_two_device_classes_route_to_their_own_workers_and_a_class_without_one_is_refused(stack):
    cpu = stack.worker("cpu@routing", "grade.cpu", concurrency=1)
    t4 = stack.worker("t4@routing", "grade.t4", concurrency=1, extra_env={"HOTPATH_GPU_MODEL": "Tesla T4", "HOTPATH_DEVICE": "cuda"})
    try:
        on_cpu = submit(stack, "--count", "4", "--device-class", "cpu", "--prefix", "cpu")["ids"]
        on_t4 = submit(stack, "--count", "4", "--device-class", "t4", "--prefix", "t4")["ids"]
        db = Database(stack)
        ids = [*on_cpu.values(), *on_t4.values()]
        wait_until(lambda: db.statuses(ids)["graded"] == len(ids), 90, "8 gradings")
        graded_by = {marker: node for event, marker, node, *_ in gradings(stack) if event == "done"}
        assert {graded_by[m] for m in on_cpu} == {"cpu@routing"}
        assert {graded_by[m] for m in on_t4} == {"t4@routing"}
        beats = dict((row[0], row[1:]) for row in db.rows(
            "SELECT device_class, hostname, gpu_model, free_slots FROM workers_workerheartbeat WHERE hostname LIKE '%%@routing'"))
        assert beats["cpu"][:2] == ("cpu@routing", "") and beats["t4"][:2] == ("t4@routing", "Tesla T4")
        assert all(row[2] in (0, 1) for row in beats.values())  # one slot each, busy or free
        refused = submit(stack, "--refused", "h100")["refused"]
        assert refused == ["No worker for device class h100 is online, so it cannot grade now. Online: cpu, t4."]
    finally:
        for proc in (cpu, t4):
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)


def _started_not_done(stack, pids: set[int]) -> dict[str, int]:
    """Markers a process of `pids` started grading and has not finished: mid-grade."""
    open_gradings: dict[str, int] = {}
    for event, marker, _node, pid, _cls in gradings(stack):
        if event == "start" and int(pid) in pids:
            open_gradings[marker] = int(pid)
        elif event == "done":
            open_gradings.pop(marker, None)
    return open_gradings


def _kill_mid_grade(stack, worker) -> dict[str, int]:
    """SIGKILL the worker's whole process group (main process and pool) while it grades; the
    gradings it had started and not finished."""
    group = {worker.pid, *realstack.children_of(worker.pid)}
    wait_until(lambda: _started_not_done(stack, group), 30, "a grading in progress on the worker to kill")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    return _started_not_done(stack, group)


def _kill_a_pool_child_mid_grade(stack, worker) -> dict[str, int]:
    """SIGKILL one pool process mid-grade (the pool starts another); again if it finished first."""
    for _ in range(5):
        children = set(realstack.children_of(worker.pid))
        wait_until(lambda: _started_not_done(stack, children), 30, "a grading in progress in a pool process")
        pid = next(iter(_started_not_done(stack, children).values()))
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        interrupted = _started_not_done(stack, {pid})
        if interrupted:
            return interrupted
    return {}


def test_200_submissions_survive_killed_workers_and_restarts_of_redis_and_postgresql(stack):
    db = Database(stack)
    stack.beat()
    first = stack.worker("a@faults", "grade.cpu")
    second = stack.worker("b@faults", "grade.cpu")
    ids = submit(stack, "--count", str(LOAD), "--prefix", "load")["ids"]
    every = list(ids.values())
    done = lambda: db.statuses(every)["graded"] + db.statuses(every)["failed"]  # noqa: E731
    interrupted: dict[str, int] = {}

    wait_until(lambda: done() >= 15, 120, "the first gradings")
    interrupted |= _kill_a_pool_child_mid_grade(stack, second)  # its pool replaces it; the message is put back
    wait_until(lambda: done() >= 40, 120, "gradings after the pool process was killed")
    interrupted |= _kill_mid_grade(stack, first)  # the whole worker: main process and pool
    stack.worker("c@faults", "grade.cpu")  # a replacement under another name
    wait_until(lambda: done() >= 80, 120, "gradings after the worker was killed")
    stack.redis.restart()
    wait_until(lambda: done() >= 120, 120, "gradings after Redis restarted")
    stack.postgres.restart(signal.SIGINT)
    wait_until(lambda: done() == LOAD, 180, f"all {LOAD} submissions to finish")

    rows = db.rows("SELECT s.files->>'marker.txt', s.status, s.attempts, r.verdict, r.message, "
                   "(SELECT count(*) FROM submissions_result r2 WHERE r2.submission_id = s.id) "
                   "FROM submissions_submission s LEFT JOIN submissions_result r ON r.submission_id = s.id WHERE s.id = ANY(%s::uuid[])",
                   (every,))
    log = gradings(stack)
    completed = defaultdict(list)
    for event, marker, node, pid, _cls in log:
        if event == "done":
            completed[marker].append(f"graded by {node} pid {pid}")
    assert len(rows) == LOAD
    for marker, status, attempts, verdict, message, results in rows:
        assert results == 1, f"{marker}: {results} results"
        if status == "graded":
            assert verdict == "accepted" and message in completed[marker], (marker, message, completed[marker])
        else:
            assert (status, verdict) == ("failed", "internal_error") and attempts > 1, (marker, status, attempts, message)
    by_marker = {row[0]: row for row in rows}
    assert interrupted and all(by_marker[m][2] >= 2 for m in interrupted), {m: by_marker[m][1:3] for m in interrupted}
    regraded = sum(len(v) - 1 for v in completed.values())
    print(f"{LOAD} submissions: {Counter(r[1] for r in rows)}; {len(interrupted)} interrupted mid-grade by kill -9; "
          f"{regraded} gradings done again after a fault; attempts {Counter(r[2] for r in rows)}")
