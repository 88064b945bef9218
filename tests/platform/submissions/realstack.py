"""Real services for the fault and routing tests: a Redis and a PostgreSQL of their own (free
ports, data directories under a temporary folder, never the shared 6379/5432), Celery worker
processes, and `manage.py` against them. Each can be killed and restarted on the same port and
data. `initdb` and `postgres` refuse to run as root: as root they run as `nobody` (setpriv)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.conftest import REPO_ROOT

HERE = Path(__file__).resolve().parent
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_binary(name: str) -> str | None:
    for folder in PG_BIN_DIRS:
        if (folder / name).is_file():
            return str(folder / name)
    return shutil.which(name)


def missing_binaries() -> list[str]:
    wanted = {"redis-server": shutil.which("redis-server"), "initdb": pg_binary("initdb"), "postgres": pg_binary("postgres")}
    if os.geteuid() == 0:
        wanted["setpriv (initdb refuses root)"] = shutil.which("setpriv")
    return [name for name, path in wanted.items() if path is None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} before it listened on {port}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout:g} s")


def _as_unprivileged() -> list[str]:
    """initdb and postgres refuse root: drop to nobody where we are root."""
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"] if os.geteuid() == 0 else []


@dataclass
class Service:
    """One server process that can be stopped (gracefully or with SIGKILL) and started again."""
    name: str
    port: int
    argv: list[str]
    log: Path
    proc: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(self.argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, 60, self.proc, self.name)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def restart(self, sig: int = signal.SIGTERM, down_s: float = 1.0) -> None:
        self.stop(sig)
        time.sleep(down_s)  # clients see the outage
        self.start()


def redis_service(root: Path) -> Service:
    """Persistence on: every write in the append-only file, fsynced each second."""
    data = root / "redis"
    data.mkdir()
    port = free_port()
    argv = [shutil.which("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data),
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--protected-mode", "no"]
    return Service("redis", port, argv, root / "redis.log")


def postgres_service(root: Path) -> Service:
    """initdb into a folder owned by the user that runs it (nobody, where we are root)."""
    data = root / "pgdata"
    sockets = root / "pgsock"
    sockets.mkdir()
    if os.geteuid() == 0:
        for path in (root, sockets):
            os.chown(path, 65534, 65534)
    subprocess.run([*_as_unprivileged(), pg_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                    "--no-sync", "-E", "UTF8", "--locale=C"], check=True, capture_output=True, timeout=120)
    port = free_port()
    argv = [*_as_unprivileged(), pg_binary("postgres"), "-D", str(data), "-p", str(port), "-k", str(sockets),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=100",
            "-c", "shared_buffers=32MB"]
    return Service("postgresql", port, argv, root / "postgres.log")


def service_root() -> Path:
    """Not pytest's tmp_path: its parents are root's 0700 folders, closed to nobody."""
    root = Path(tempfile.mkdtemp(prefix="hotpath-faults-"))
    os.chmod(root, 0o755)
    return root


@dataclass
class Stack:
    root: Path
    redis: Service
    postgres: Service
    env: dict = field(default_factory=dict)
    workers: list = field(default_factory=list)

    def manage(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=self.env, capture_output=True,
                              text=True, timeout=timeout, check=True)

    def script(self, name: str, *args: str, timeout: float = 300, extra_env: dict | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(HERE / name), *args], cwd=REPO_ROOT, env={**self.env, **(extra_env or {})},
                              capture_output=True, text=True, timeout=timeout)

    def worker(self, node: str, queue: str, *, concurrency: int = 2, extra_env: dict | None = None) -> subprocess.Popen:
        """A real Celery worker (prefork pool) whose grader is the fast stand-in (fault_worker.py)."""
        with (self.root / f"worker-{node.split('@')[0]}.log").open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, str(HERE / "fault_worker.py"), "worker", "-n", node, "-Q", queue, "-P", "prefork", "-c", str(concurrency),
                 "--without-gossip", "--without-mingle", "-l", "INFO"],
                cwd=REPO_ROOT, env={**self.env, **(extra_env or {}), "FAULT_NODE": node}, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.workers.append(proc)
        return proc

    def beat(self) -> subprocess.Popen:
        with (self.root / "beat.log").open("ab") as log:
            proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "hotpath", "--workdir", "platform", "beat", "-l", "INFO",
                                     "-s", str(self.root / "beat-schedule")],
                                    cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        return proc

    def stop_all(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for service in (self.redis, self.postgres):
            service.stop(signal.SIGINT if service is self.postgres else signal.SIGTERM)

    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.postgres.port}/hotpath"


def children_of(pid: int) -> list[int]:
    try:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [int(p) for p in out.split()]
