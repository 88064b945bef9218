"""Load test: N simulated users browse the site and submit trivial CPU solutions to a live
server (gunicorn) with real Celery workers grading them in the sandbox, on PostgreSQL and
Redis. Prints page latency (p50/p95/p99 per page and overall), submit latency, and grading
throughput per hour over the measured window, with the load average (docs/operations.md).

    .venv/bin/python scripts/load_test.py --users 8 --duration 300

It creates a database of its own (dropped at the end) on --database-url's server and uses one
Redis database (--broker-url; flushed first, so give it a database nobody else uses). The
challenge is tests/fixtures/challenges/vector-add with a correct two-line solution; every
submission goes through the API (as the CLI does) and is graded for real.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SOLUTION = "def add(a, b):\n    return a + b\n"
PAGES = ["/", "/challenges/vector-add/", "/leaderboards/", "/leaderboards/vector-add/", "/submissions/", "/api/challenges/"]
PASSWORD = "load-test-password-1"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=8, help="concurrent simulated users")
    parser.add_argument("--duration", type=float, default=300, help="measured seconds")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a user's pages, s (exponential)")
    parser.add_argument("--submit-every", type=float, default=12.0, help="mean seconds between one user's submissions")
    parser.add_argument("--workers", type=int, default=1, help="Celery worker processes (grade.cpu)")
    parser.add_argument("--concurrency", type=int, default=2, help="grading slots per worker (prefork)")
    parser.add_argument("--worker-nice", type=int, default=10, help="niceness of the workers: the web answers first")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres", help="a server to create the database on")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/13")
    return parser.parse_args()


class Stack:
    """The database, the web server and the workers, started and torn down together."""

    def __init__(self, args: argparse.Namespace):
        self.args, self.procs = args, []
        self.logs = Path(tempfile.mkdtemp(prefix="hotpath-load-"))  # the web server's and workers' output
        self.db_name = f"hotpath_load_{uuid.uuid4().hex[:8]}"
        self.admin_url = args.database_url.replace("postgres://", "postgresql://", 1)
        self.db_url = self.admin_url.rsplit("/", 1)[0] + f"/{self.db_name}"
        self.url = f"http://127.0.0.1:{args.port}"
        self.env = {**os.environ, "DATABASE_URL": self.db_url.replace("postgresql://", "postgres://", 1), "CELERY_BROKER_URL": args.broker_url,
                    "HOTPATH_CHALLENGE_DIRS": str(ROOT / "tests" / "fixtures" / "challenges"), "DEBUG": "false",
                    "HOTPATH_SUBMISSION_RATE": "1000/minute", "LOG_LEVEL": "WARNING", "CELERY_TASK_ALWAYS_EAGER": "false"}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)

    def up(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.db_name}"')
        import redis

        redis.Redis.from_url(self.args.broker_url).flushdb()
        for command in (["migrate", "--noinput", "-v0"], ["sync_challenges"]):
            subprocess.run([PY, "manage.py", *command], cwd=ROOT, env=self.env, check=True, capture_output=True, timeout=600)
        self._start([PY, "-m", "gunicorn", "hotpath.wsgi:application", "--chdir", "platform", "-b", f"127.0.0.1:{self.args.port}",
                     "-w", str(self.args.web_workers), "--threads", "2", "--log-level", "warning"])
        for n in range(self.args.workers):
            self._start(["nice", "-n", str(self.args.worker_nice), PY, "-m", "celery", "-A", "hotpath", "--workdir", "platform", "worker",
                         "-n", f"load{n}@%h", "-Q", "grade.cpu", "-P", "prefork", "-c", str(self.args.concurrency),
                         "--without-gossip", "--without-mingle", "-l", "WARNING"])
        self._wait_until_ready()

    def _start(self, argv: list[str]) -> None:
        with (self.logs / f"{len(self.procs)}-{Path(argv[argv.index('-m') + 1]).name}.log").open("ab") as log:
            self.procs.append(subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                classes = requests.get(f"{self.url}/api/device-classes/", timeout=5).json()
                rows = classes if isinstance(classes, list) else classes.get("results", classes.get("device_classes", []))
                if any(row.get("name") == "cpu" for row in rows):
                    return
            except (requests.RequestException, ValueError):
                pass
            time.sleep(1)
        raise SystemExit("the web server or the cpu worker did not come up within 180 s")

    def users(self, count: int) -> list[tuple[str, str]]:
        """`count` users with API tokens, made in the load database (username, token)."""
        code = ("from django.contrib.auth.models import User\nfrom rest_framework.authtoken.models import Token\n"
                f"for n in range({count}):\n"
                f"    u = User.objects.create_user(f'load{{n}}', password={PASSWORD!r})\n"
                "    print(u.username, Token.objects.create(user=u).key)\n")
        out = subprocess.run([PY, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True).stdout
        return [tuple(line.split()) for line in out.splitlines() if re.fullmatch(r"load\d+ \w+", line.strip())]

    def rows(self, sql: str, params=()) -> list[tuple]:
        with psycopg.connect(self.db_url) as conn:
            return conn.execute(sql, params).fetchall()

    def down(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')


class User(threading.Thread):
    """Logs in on the web, then browses (think time between pages) and submits by the API."""

    def __init__(self, url: str, name: str, token: str, args: argparse.Namespace, stop_at: float, seed: int):
        super().__init__(daemon=True)
        self.url, self.name, self.token, self.args, self.stop_at = url, name, token, args, stop_at
        self.random = random.Random(seed)
        self.pages: dict[str, list[float]] = defaultdict(list)
        self.submits: list[float] = []
        self.errors: Counter = Counter()
        self.submission_ids: list[str] = []

    def run(self) -> None:
        web = requests.Session()
        login = web.get(f"{self.url}/accounts/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
        web.post(f"{self.url}/accounts/login/", data={"username": self.name, "password": PASSWORD,
                                                      "csrfmiddlewaretoken": token.group(1) if token else ""},
                 headers={"Referer": f"{self.url}/accounts/login/"}, timeout=30)
        if web.get(f"{self.url}/submissions/", timeout=30, allow_redirects=False).status_code != 200:
            self.errors["log-in"] += 1
        api = requests.Session()
        api.headers["Authorization"] = f"Token {self.token}"
        next_submit = time.monotonic() + self.random.expovariate(1 / self.args.submit_every)
        while time.monotonic() < self.stop_at:
            if time.monotonic() >= next_submit:
                self._submit(api)
                next_submit += self.random.expovariate(1 / self.args.submit_every)
            self._browse(web)
            time.sleep(self.random.expovariate(1 / self.args.think))

    def _browse(self, web: requests.Session) -> None:
        path = self.random.choice(PAGES + ([f"/submissions/{self.random.choice(self.submission_ids)}/"] if self.submission_ids else []))
        name = "/submissions/<id>/" if path.startswith("/submissions/") and path != "/submissions/" else path
        start = time.perf_counter()
        try:
            response = web.get(self.url + path, timeout=30, allow_redirects=False)  # a redirect to the log-in is an error
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        if ok:
            self.pages[name].append((time.perf_counter() - start) * 1000)
        else:
            self.errors[name] += 1

    def _submit(self, api: requests.Session) -> None:
        start = time.perf_counter()
        try:
            response = api.post(f"{self.url}/api/submissions/", json={"challenge": "vector-add", "files": {"solution.py": SOLUTION}}, timeout=30)
        except requests.RequestException:
            self.errors["submit"] += 1
            return
        if response.status_code == 201:
            self.submits.append((time.perf_counter() - start) * 1000)
            self.submission_ids.append(response.json()["id"])
        else:
            self.errors[f"submit {response.status_code}"] += 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def summary(name: str, values: list[float]) -> str:
    if not values:
        return f"{name:28s} n=0"
    return (f"{name:28s} n={len(values):5d}  p50 {percentile(values, 50):7.1f} ms  p95 {percentile(values, 95):7.1f} ms  "
            f"p99 {percentile(values, 99):7.1f} ms  mean {statistics.fmean(values):7.1f} ms")


def report(stack: Stack, users: list[User], started: float, ended: float, load: list[tuple]) -> None:
    args, window = stack.args, ended - started
    pages: dict[str, list[float]] = defaultdict(list)
    for user in users:
        for name, values in user.pages.items():
            pages[name] += values
    every_page = [v for values in pages.values() for v in values]
    errors = sum((u.errors for u in users), Counter())
    print(f"\n{args.users} users for {window:.0f} s against {stack.url} (gunicorn -w {args.web_workers}); "
          f"{args.workers} worker(s) x {args.concurrency} slots, nice {args.worker_nice}; {os.cpu_count()} CPUs")
    print("load average (1, 5, 15 min): " + "; ".join(f"{when} {a:.2f} {b:.2f} {c:.2f}" for when, (a, b, c) in load))
    for name in sorted(pages):
        print(summary(name, pages[name]))
    print(summary("ALL PAGES", every_page))
    print(summary("submit (POST /api/submissions/)", [v for u in users for v in u.submits]))
    print(f"errors: {dict(errors) or 'none'}; server and worker logs: {stack.logs}")
    graded = stack.rows("SELECT count(*), min(finished_at), max(finished_at) FROM submissions_submission "
                        "WHERE finished_at >= to_timestamp(%s) AND finished_at <= to_timestamp(%s)", (started, ended))[0]
    verdicts = dict(stack.rows("SELECT r.verdict, count(*) FROM submissions_result r JOIN submissions_submission s ON s.id = r.submission_id "
                               "WHERE s.finished_at >= to_timestamp(%s) AND s.finished_at <= to_timestamp(%s) GROUP BY r.verdict", (started, ended)))
    backlog = dict(stack.rows("SELECT status, count(*) FROM submissions_submission GROUP BY status"))
    print(f"graded in the window: {graded[0]} ({verdicts}) = {graded[0] / window * 3600:.0f} per hour; "
          f"submitted {sum(len(u.submits) for u in users)}; statuses at the end {backlog}")


def main() -> int:
    args = parse_args()
    stack = Stack(args)
    try:
        stack.up()
        accounts = stack.users(args.users)
        load = [("before", os.getloadavg())]
        started = time.time()
        stop_at = time.monotonic() + args.duration
        users = [User(stack.url, name, token, args, stop_at, seed=n) for n, (name, token) in enumerate(accounts)]
        for user in users:
            user.start()
        time.sleep(args.duration / 2)
        load.append(("midway", os.getloadavg()))
        for user in users:
            user.join(timeout=args.duration + 60)
        ended = time.time()
        load.append(("end", os.getloadavg()))
        report(stack, users, started, ended, load)
    finally:
        stack.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
