"""The `process` backend: a child process group on this host, for laptops, CI and bare GPU hosts.

Limits: wall time (the whole process group and cgroup killed at the limit), memory and
pids through a cgroup where the host allows one, a private temp working dir, an
allow-listed environment, and a cap on captured output.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sandbox.api import SandboxJob, SandboxLimits, SandboxResult
from sandbox.cgroups import JobCgroup
from sandbox.registry import register_backend

ENV_ALLOW_LIST = ("PATH", "LANG", "LC_ALL", "TZ", "CUDA_VISIBLE_DEVICES", "TRITON_INTERPRET", "NVIDIA_VISIBLE_DEVICES")
POLL_S = 0.05


@register_backend
class ProcessBackend:
    name = "process"

    def available(self) -> tuple[bool, str]:
        return True, ""

    def run(self, job: SandboxJob) -> SandboxResult:
        workdir = Path(tempfile.mkdtemp(prefix="hotpath-job-"))
        try:
            return _run_in(workdir, job)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _run_in(workdir: Path, job: SandboxJob) -> SandboxResult:
    limits = job.limits
    argv = [_substitute(a, job) for a in job.argv]
    cgroup = JobCgroup(memory_bytes=limits.memory_mb * 2**20, pids=limits.pids)
    has_cgroup = cgroup.create()
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=workdir,
            env=_environment(job, workdir),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_child_limits(limits),
        )
    except OSError as exc:
        cgroup.remove()
        return SandboxResult(None, b"", b"", 0.0, 0.0, None, error=f"could not start the job: {exc}")
    try:
        if has_cgroup:
            cgroup.add(proc.pid)
        return _supervise(proc, job, cgroup if has_cgroup else None, started)
    finally:
        _kill_group(proc.pid)
        cgroup.remove()


def _supervise(proc: subprocess.Popen, job: SandboxJob, cgroup: JobCgroup | None, started: float) -> SandboxResult:
    limits = job.limits
    out = _CappedReader(proc.stdout, limits.output_bytes)
    err = _CappedReader(proc.stderr, limits.output_bytes)
    timeout = False
    peak_rss = 0.0
    deadline = started + limits.wall_s
    while proc.poll() is None:
        if time.monotonic() > deadline:
            timeout = True
            break
        if out.overflowed or err.overflowed:
            break
        if cgroup is None:
            peak_rss = max(peak_rss, _group_rss_mb(proc.pid))
            if peak_rss > limits.memory_mb:
                break
        time.sleep(POLL_S)
    _kill_group(proc.pid)
    if cgroup is not None:
        cgroup.kill_all()
    exit_code = proc.wait()
    wall = time.monotonic() - started
    out.join()
    err.join()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    oom = cgroup.oom_killed() if cgroup is not None else peak_rss > limits.memory_mb
    peak = cgroup.peak_memory_mb() if cgroup is not None else peak_rss
    return SandboxResult(
        exit_code=exit_code,
        stdout=out.data(),
        stderr=err.data(),
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_memory_mb=peak,
        timeout=timeout,
        oom_killed=oom,
        output_limited=out.overflowed or err.overflowed,
    )


class _CappedReader:
    """Drains a pipe on a thread, keeping at most `cap` bytes and noting overflow."""

    def __init__(self, stream, cap: int) -> None:
        self.cap = cap
        self.chunks: list[bytes] = []
        self.kept = 0
        self.overflowed = False
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream) -> None:
        while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
            room = self.cap - self.kept
            if room > 0:
                self.chunks.append(chunk[:room])
                self.kept += min(room, len(chunk))
            if len(chunk) > room:
                self.overflowed = True
        stream.close()

    def join(self) -> None:
        self._thread.join(timeout=5)

    def data(self) -> bytes:
        return b"".join(self.chunks)


def _substitute(arg: str, job: SandboxJob) -> str:
    arg = arg.replace("{bundle}", str(job.bundle))
    if job.worker_bundle is not None:
        arg = arg.replace("{worker_bundle}", str(job.worker_bundle))
    return arg.replace("{python}", sys.executable)


def _environment(job: SandboxJob, workdir: Path) -> dict[str, str]:
    env = {k: os.environ[k] for k in ENV_ALLOW_LIST if k in os.environ}
    env.update({"HOME": str(workdir), "TMPDIR": str(workdir), "PYTHONDONTWRITEBYTECODE": "1"})
    env.update({k: _substitute(v, job) for k, v in job.env.items()})
    return env


def _child_limits(limits: SandboxLimits):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_NOFILE, (limits.nofile, limits.nofile))
        fsize = limits.tmpfs_mb * 2**20
        resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))

    return apply


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _group_rss_mb(pgid: int) -> float:
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            total += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    return total / 2**20
