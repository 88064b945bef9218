"""Leaderboard benchmark (issue 12): seed 100,000 graded submissions by 10,000 users over 20
challenges, then time the challenge board and the global board, as selectors, pages and API
endpoints, on PostgreSQL and on SQLite. Target: p95 <= 50 ms on PostgreSQL.

    .venv/bin/python scripts/bench_leaderboard.py                 # both databases
    .venv/bin/python scripts/bench_leaderboard.py --db sqlite --requests 100

Pages and endpoints are timed twice: with a new database connection per request (what the
settings give by default, CONN_MAX_AGE=0) and with persistent connections (CONN_MAX_AGE=600,
what a deployment sets); on PostgreSQL opening a connection is most of a request's time.
Each database gets a fresh, private store: SQLite a file under var/bench/, PostgreSQL a
database of its own (`hotpath_bench_leaderboard`, created through the `test` database at
--postgres-url and dropped afterwards), so nobody else's data is touched. Requests go through
Django's test client (the whole middleware, URL, view and template stack, no network), one
challenge drawn at random per request, after a warm-up; figures are p50 / p95 / max of the wall
time over --requests requests, and p50 / p95 of the benchmark process's own CPU time (which
leaves out waiting for the database and for a busy machine's cores), with DEBUG off.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "hotpath_bench_leaderboard"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--challenges", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per target")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_PG))
    parser.add_argument("--keep", action="store_true", help="keep the seeded database (to profile it); printed at the end")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a DATABASE_URL: run in this process
    args = parser.parse_args()
    if args.child:
        return run_child(args)
    status = 0
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        status |= run_backend(db, args)
    return status


# -- the parent: one fresh database per backend, one child process each ---------------------
def run_backend(db: str, args) -> int:
    if db == "sqlite":
        path = REPO / "var" / "bench" / "leaderboard.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        url, cleanup = f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
    else:
        try:
            url, cleanup = _fresh_postgres(args.postgres_url)
        except Exception as exc:  # noqa: BLE001 - say why and go on with the other backend
            print(f"postgres: cannot prepare a database at {args.postgres_url}: {exc}", file=sys.stderr)
            return 1
    argv = [sys.executable, __file__, "--child", url, "--users", str(args.users), "--submissions", str(args.submissions),
            "--challenges", str(args.challenges), "--requests", str(args.requests)]
    try:
        return subprocess.run(argv, cwd=REPO, env={**os.environ, "DATABASE_URL": url, "DEBUG": "false"}).returncode
    finally:
        if args.keep:
            print(f"kept: DATABASE_URL={url}")
        else:
            cleanup()


def _fresh_postgres(admin_url: str):
    import psycopg

    def admin(sql: str) -> None:
        with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
            conn.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {BENCH_DB}")
    admin(f"CREATE DATABASE {BENCH_DB}")
    url = admin_url.rsplit("/", 1)[0] + f"/{BENCH_DB}"
    return url, lambda: admin(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def _libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


# -- the child: seed, then time ----------------------------------------------------------------
def run_child(args) -> int:
    sys.path[:0] = [str(REPO), str(REPO / "platform")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotpath.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    backend = f"{connection.vendor} {'.'.join(map(str, connection.Database.sqlite_version_info)) if connection.vendor == 'sqlite' else connection.pg_version}"
    started = time.perf_counter()
    slugs = seed(users=args.users, submissions=args.submissions, challenges=args.challenges)
    seeded_s = time.perf_counter() - started
    started = time.perf_counter()
    from leaderboards.services import leaderboards_rebuild

    counts = leaderboards_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what autovacuum does soon after a bulk load; the planner needs the statistics
    rebuild_s = time.perf_counter() - started
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n== {backend} on {os.cpu_count()} CPUs (load average {load}): {args.submissions} submissions, {args.users} users, {args.challenges} challenges; "
          f"seeded in {seeded_s:.0f} s, boards built in {rebuild_s:.1f} s ({counts['entries']} best entries, {counts['totals']} totals)")
    for conn_max_age in (0, 600):
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = conn_max_age
        mode = "a new connection per request (CONN_MAX_AGE=0, the settings' default)" if conn_max_age == 0 else "persistent connections (CONN_MAX_AGE=600)"
        print(f"-- {mode}")
        report(time_targets(slugs, requests=args.requests))
    report(time_result_saves(requests=min(args.requests, 200)))
    return 0


def seed(*, users: int, submissions: int, challenges: int) -> list[str]:
    from django.contrib.auth.models import User
    from django.contrib.auth.hashers import make_password

    from catalog.models import Challenge, ChallengeVersion
    from submissions.models import Result, Submission

    rng = random.Random(12)
    unusable = make_password(None)
    User.objects.bulk_create([User(username=f"bench{i:05d}", password=unusable) for i in range(users)], batch_size=5000)
    user_ids = list(User.objects.filter(username__startswith="bench").values_list("id", flat=True))
    versions = []
    for i in range(challenges):
        challenge = Challenge.objects.create(slug=f"bench-{i:02d}", title=f"Bench challenge {i}", kind="kernel", difficulty="medium")
        version = ChallengeVersion.objects.create(
            challenge=challenge, number=1, content_hash=f"{i:064x}", spec={"slug": challenge.slug}, statement_md="x", statement_html="<p>x</p>",
            starter_files={"solution.py": "def f():\n    pass\n"}, entry_file="solution.py", device_kinds=["cpu"], package_archive=b"", source_path="bench",
        )
        Challenge.objects.filter(pk=challenge.pk).update(current_version=version)
        versions.append(version.pk)
    created = Submission._meta.get_field("created_at")
    created.auto_now_add = False  # seeded submissions carry their own times (the earliest-wins tie-break)
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for start in range(0, submissions, 5000):
        batch = [
            Submission(user_id=rng.choice(user_ids), challenge_version_id=rng.choice(versions), files={"solution.py": "def f():\n    return 1\n"},
                       status="graded", created_at=t0 + timedelta(seconds=rng.randrange(300 * 86400)))
            for _ in range(min(5000, submissions - start))
        ]
        Submission.objects.bulk_create(batch)
        Result.objects.bulk_create([_result(rng, s) for s in batch])
    created.auto_now_add = True
    return [f"bench-{i:02d}" for i in range(challenges)]


def _result(rng: random.Random, submission):
    from submissions.models import Result

    if rng.random() < 0.2:
        return Result(submission=submission, verdict=rng.choice(["wrong_answer", "runtime_error", "time_limit_exceeded"]), score=0.0, metrics={"speedup": None})
    speedup = round(rng.lognormvariate(0, 0.6), 4)
    half = speedup * rng.uniform(0.01, 0.12)
    flags = ["noisy"] if rng.random() < 0.05 else (["timing_mismatch"] if rng.random() < 0.01 else [])
    score = round(40 + 60 * min(max((speedup - 0.5) / 2.5, 0), 1), 2)
    return Result(submission=submission, verdict="accepted", score=score, flags=flags,
                  metrics={"speedup": speedup, "speedup_ci": [speedup - half, speedup + half], "latency_ms": {"median": 1.0, "n": 50}})


def time_targets(slugs: list[str], *, requests: int) -> list[tuple[str, list[float]]]:
    from django.test import Client

    from catalog.models import Challenge
    from leaderboards.selectors import challenge_board, global_board

    challenges = {c.slug: c for c in Challenge.objects.filter(slug__in=slugs)}
    client = Client()
    rng = random.Random(7)
    api_board, api_global = _api_urls(client, slugs[0])
    targets = [
        ("selector challenge_board(limit=50)", lambda: challenge_board(challenge=challenges[rng.choice(slugs)], device_class="cpu", limit=50)),
        ("selector global_board(limit=50)", lambda: global_board(device_class="cpu", limit=50)),
        ("page /leaderboards/<slug>/", lambda: _get(client, f"/leaderboards/{rng.choice(slugs)}/")),
        ("page /leaderboards/ (global)", lambda: _get(client, "/leaderboards/")),
        ("page /challenges/<slug>/ (top 10)", lambda: _get(client, f"/challenges/{rng.choice(slugs)}/")),
    ]
    if api_board:
        targets.append((f"endpoint {api_board.replace(slugs[0], '<slug>')}", lambda: _get(client, api_board.replace(slugs[0], rng.choice(slugs)))))
    else:
        print("endpoint /api/leaderboards/<slug>/: absent (not written yet); the selector and page figures stand in")
    if api_global:
        targets.append((f"endpoint {api_global}", lambda: _get(client, api_global)))
    return [(name, _timed(fn, requests)) for name, fn in targets]


def _api_urls(client, slug: str) -> tuple[str | None, str | None]:
    """The API engineer's leaderboard endpoints, where they exist yet."""
    import logging

    logging.getLogger("django.request").setLevel(logging.ERROR)  # a probe's 404 is an answer, not news
    board = f"/api/leaderboards/{slug}/?device_class=cpu"
    overall = "/api/leaderboards/?device_class=cpu"
    return (board if client.get(board).status_code == 200 else None), (overall if client.get(overall).status_code == 200 else None)


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")


def _timed(fn, requests: int) -> tuple[list[float], list[float]]:
    """(wall ms, this process's CPU ms) per call. The CPU time leaves out waiting, for the
    database and for a busy machine's cores, so it is the part that does not depend on load."""
    for _ in range(min(20, requests)):
        fn()
    wall, cpu = [], []
    for _ in range(requests):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def time_result_saves(*, requests: int) -> list[tuple[str, list[float]]]:
    """What a grading pays for keeping the boards: one Result saved (with its board refresh)."""
    from submissions.models import Result

    ids = list(Result.objects.filter(verdict="accepted").values_list("id", flat=True)[:requests])
    results = iter(Result.objects.filter(id__in=ids))

    def save():
        result = next(results)
        result.score = min(100.0, result.score + 1)
        result.save(update_fields=["score"])

    return [("Result save + board refresh", _timed(save, len(ids) - 20))]


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def report(rows: list[tuple[str, tuple[list[float], list[float]]]]) -> None:
    print(f"{'':52s} {'wall p50':>9s} {'p95':>8s} {'max':>8s}   {'CPU p50':>8s} {'p95':>7s}")
    for name, (wall, cpu) in rows:
        wall, cpu = sorted(wall), sorted(cpu)
        print(f"{name:52s} {statistics.median(wall):7.1f}ms {_p95(wall):6.1f}ms {wall[-1]:6.1f}ms   "
              f"{statistics.median(cpu):6.1f}ms {_p95(cpu):5.1f}ms  n={len(wall)}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
