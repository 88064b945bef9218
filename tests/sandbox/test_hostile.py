"""Hostile submissions, graded end to end on each backend (process and docker).

Each one is a `solution.py` for a small copy of fused-attention (tests/sandbox/conftest.py:
correctness only, 25 s wall, 8 s per call, 1 GiB, 256 KiB of output, 128 pids). Those that
attack the host or the harness and fail must still be graded normally (`accepted`: the
attack had no effect, the correct answer passes); those that exhaust a limit must get that
limit's verdict. Every case must end well before its limit plus a generous margin, leave no
process or container behind, and leave the backend healthy.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

import sandbox
from graders.pipeline import GradeJob, grade
from tests.sandbox.conftest import backend_or_skip

REPO = Path(__file__).resolve().parents[2]
CALL_S = 8
MARGIN_S = 30  # imports, reference computation, teardown, a loaded 2-core CI machine

CORRECT = '''
import math as _math
import torch as _torch


def attention(q, k, v, causal=False):
    _hostile_call()
    scores = (q @ k.transpose(-2, -1)) / _math.sqrt(q.shape[-1])
    if causal:
        s = q.shape[-2]
        scores = scores.masked_fill(~_torch.ones(s, s, dtype=_torch.bool).tril(), float("-inf"))
    return _torch.softmax(scores, dim=-1) @ v
'''

# name -> (expected verdict, code run at import, code run in every call); {token} and
# {repo} are filled in by the test.
CASES = {
    "fork_bomb": ("time_limit_exceeded", "", """
    import os
    while True:
        try:
            os.fork()
        except OSError:
            pass
"""),
    "memory_hog": ("memory_limit_exceeded", "", """
    hoard = []
    while True:
        hoard.append(b"\\1" * (64 << 20))
"""),
    "infinite_loop": ("time_limit_exceeded", "", """
    while True:
        pass
"""),
    "ignores_sigterm": ("time_limit_exceeded", """
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
""", """
    import time
    while True:
        time.sleep(0.1)
"""),
    "output_flood": ("output_limit_exceeded", "", """
    import os, sys
    chunk = b"x" * (1 << 20)
    for _ in range(4096):  # 4 GiB
        os.write(1, chunk)
        os.write(2, chunk)
"""),
    "disk_filler": ("runtime_error", "", """
    with open("filler.bin", "wb") as fh:
        while True:
            fh.write(b"\\0" * (16 << 20))
            fh.flush()
"""),
    "thread_spam": ("runtime_error", "", """
    import threading, time
    while True:
        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
"""),
    "connects_to_host": ("accepted", """
import socket
for host in ("127.0.0.1", "172.17.0.1", "10.0.2.2", "{host_ip}"):
    try:
        s = socket.create_connection((host, {port}), timeout=2)
    except OSError:
        continue
    s.sendall(b"escaped {token}")
    raise SystemExit("connected to the host listener at " + host)
""", ""),
    "reads_secrets": ("accepted", """
import glob, os
found = [k for k, v in os.environ.items() if "{token}" in v or "HOTPATH_TEST_SECRET" in k]
for path in glob.glob("/proc/[0-9]*/environ") + ["/etc/shadow", "/root/.ssh/id_rsa", "/proc/1/cmdline"]:
    try:
        if b"{token}" in open(path, "rb").read():
            found.append(path)
    except OSError:
        pass
if found:
    raise SystemExit("secrets visible: " + ", ".join(found))
""", ""),
    "reads_hidden_files": ("accepted", """
import glob, os
readable = []
paths = ["/sandbox/bundle/private/job.json", "/sandbox/bundle/private/package/tests/oracle.py",
         "/sandbox/bundle/private/package/reference/solution.py", "{repo}/challenges/fused-attention/reference/solution.py",
         "{repo}/challenges/fused-attention/tests/oracle.py"]
paths += glob.glob("/tmp/hotpath-grade-*/bundle/private/**/*.py", recursive=True)
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "usr", "lib", "root")]
    paths += [os.path.join(root, f) for f in files if f in ("oracle.py", "job.json", "baseline.py")]
for path in paths:
    try:
        open(path).read()
        readable.append(path)
    except OSError:
        pass
if readable:
    raise SystemExit("hidden files readable: " + ", ".join(readable))
""", ""),
    "writes_outside": ("accepted", """
import os
for path in ["{host_tmp}/escape-{token}", "{repo}/escape-{token}", "/sandbox/bundle/escape", "/sandbox/candidate/escape",
             "/usr/escape-{token}", "/etc/escape-{token}", "/escape-{token}"]:
    try:
        with open(path, "w") as fh:
            fh.write("{token}")
    except OSError:
        pass
""", ""),
    "double_fork_daemon": ("accepted", """
import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in range(0, 64):
            try:
                os.close(fd)
            except OSError:
                pass
        os.execv("/bin/sleep", ["hotpath-daemon-{token}", "600"])
    os._exit(0)
os.wait()
""", ""),
    "kills_supervisor": ("accepted", """
import os, signal
for pid in (os.getppid(), 1):
    for sig in (signal.SIGKILL, signal.SIGTERM, signal.SIGSTOP):
        try:
            os.kill(pid, sig)
        except OSError:
            pass
try:
    group = os.getpgid(os.getppid())
    if group > 0 and group != os.getpgrp():  # 0: the supervisor's group lies outside our namespace
        os.killpg(group, signal.SIGKILL)
except OSError:
    pass
""", ""),
    "kills_everything": ("accepted", """
import os, signal
os.kill(-1, signal.SIGKILL)  # every process it may signal (Linux spares the caller)
""", ""),
}


def solution(name: str, **fill) -> str:
    _, at_import, in_call = CASES[name]
    call_body = in_call.strip("\n") if in_call.strip() else "    pass"
    code = at_import.format(**fill) + "\n\ndef _hostile_call():\n" + call_body.format(**fill) + "\n" + CORRECT
    return code


@pytest.fixture
def listener():
    """A TCP listener on all host addresses: a sandboxed connection must never reach it."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("0.0.0.0", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted: list = []
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, addr = server.accept()
                accepted.append(addr)
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(2)
    server.close()


def _host_ip() -> str:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
    except OSError:
        return "127.0.0.1"


def _processes_with(token: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if token.encode() in cmdline:
                found.append(f"{entry.name}: {cmdline!r}")
    return found


def _docker_leftovers() -> list[str]:
    from sandbox.backends.docker import LABEL, client, owner_id

    mine = owner_id()
    return [c.id for c in client().containers.list(all=True, filters={"label": LABEL}) if c.labels.get("hotpath.owner") == mine]


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_submission(case, backend, probe_root, listener, tmp_path, monkeypatch, request):
    expected = CASES[case][0]
    if case == "memory_hog" and backend == "process":
        request.getfixturevalue("root_cgroups")
    token = secrets.token_hex(8)
    port, connections = listener
    host_tmp = tmp_path / "host-tmp"
    host_tmp.mkdir()
    monkeypatch.setenv("HOTPATH_TEST_SECRET", f"secret-{token}")
    code = solution(case, token=token, repo=str(REPO), port=port, host_ip=_host_ip(), host_tmp=str(host_tmp))
    disk_before = shutil.disk_usage("/tmp").free

    started = time.monotonic()
    result = grade(GradeJob(slug="sandbox-probe", files={"solution.py": code}, backend=backend, roots=[probe_root]))
    elapsed = time.monotonic() - started

    assert result.verdict == expected, f"{case} on {backend}: {result.verdict}: {result.message}\n{result.log[-2000:]}"
    assert elapsed < CALL_S + MARGIN_S if expected != "accepted" else elapsed < 25 + MARGIN_S, f"{case} took {elapsed:.1f} s"
    assert connections == [], f"the sandbox reached the host listener: {connections}"
    assert not list(host_tmp.iterdir()), "a file appeared in a host directory"
    assert not list(REPO.glob(f"escape-{token}*")), "a file appeared in the repository"
    assert not Path(f"/escape-{token}").exists()
    assert _processes_with(token) == [] and _processes_with(f"hotpath-daemon-{token}") == [], "a process outlived the verdict"
    if case in ("disk_filler", "output_flood"):  # other jobs on the host move it by megabytes, never gigabytes
        assert disk_before - shutil.disk_usage("/tmp").free < 1 << 30, "the host disk filled up"
    if backend == "docker":
        assert _docker_leftovers() == [], "a container was left behind"
    _assert_healthy(backend)


def _assert_healthy(backend: str) -> None:
    """The same backend still runs an ordinary job afterwards."""
    job = sandbox.SandboxJob(argv=("{python}", "-c", "print(6 * 7)"), bundle=REPO / "sandbox" / "images", limits=sandbox.SandboxLimits(wall_s=30))
    result = sandbox.run(job, backend=backend)
    assert result.error is None and result.exit_code == 0 and result.stdout.strip() == b"42", result


# Jobs that end every way a job can: normally, killed at the wall-time limit with a child
# still sleeping, and leaving an orphan in its own session behind.
LEFTOVER_JOBS = {
    "ordinary": ("print(6 * 7)", 30),
    "timed_out": ("import os, time\nos.fork()\ntime.sleep(120)", 3),
    "orphan": ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(120)\nprint('parent gone')", 30),
}


@pytest.mark.parametrize("name", sorted(LEFTOVER_JOBS))
def test_no_cgroups_left_behind(name, root_cgroups, monkeypatch):
    """Each job's cgroup exists while it runs and is removed with it, however the job ends."""
    from sandbox.cgroups import CGROUP_ROOT, JobCgroup

    made: list[Path] = []
    create = JobCgroup.create

    def recording_create(self) -> bool:
        ok = create(self)
        made.extend(self.dirs.values() if ok else [])
        return ok

    monkeypatch.setattr(JobCgroup, "create", recording_create)
    code, wall_s = LEFTOVER_JOBS[name]
    job = sandbox.SandboxJob(argv=("{python}", "-c", code), bundle=REPO / "sandbox" / "images", limits=sandbox.SandboxLimits(wall_s=wall_s, pids=16))
    result = sandbox.run(job, backend=backend_or_skip("process"))
    assert result.error is None, result
    assert result.timeout == (name == "timed_out"), result
    assert made, "the job ran without a cgroup: nothing here would show a leak"
    assert [str(p) for p in made if p.exists()] == [], "a job's cgroup outlived it"
    mine = [str(p) for p in CGROUP_ROOT.glob(f"*/**/hotpath-{os.getpid()}-*") if p.is_dir()]
    assert mine == []
