"""The sandbox's few verbs and the one result shape every backend returns.

A job is a command to run over a read-only *bundle* (a directory copied or mounted
into the sandbox) under limits. Whatever happens -- success, crash, timeout, OOM,
flood of output -- the caller gets a :class:`SandboxResult` with the same keys.
"""
from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


# Where every backend shows the job inside the sandbox; argv and env name them as
# `{bundle}`, `{worker_bundle}` and `{python}`.
INSIDE_BUNDLE = "/sandbox/bundle"
INSIDE_WORKER_BUNDLE = "/sandbox/candidate"
INSIDE_WORK = "/sandbox/work"


def inside_text(text: str, *, python: str) -> str:
    """Replace the job's placeholders by the paths the sandbox shows."""
    return text.replace("{bundle}", INSIDE_BUNDLE).replace("{worker_bundle}", INSIDE_WORKER_BUNDLE).replace("{python}", python)


def inside_environment(job: "SandboxJob", *, allow: tuple[str, ...], python: str, path: str) -> dict[str, str]:
    """The allow-listed host variables, the sandbox's own HOME/TMPDIR, then the job's (placeholders replaced).

    `path` is the PATH used where the host's is not allowed through (or not set)."""
    env = {k: os.environ[k] for k in allow if k in os.environ}
    env.setdefault("PATH", path)
    env.update({"HOME": INSIDE_WORK, "TMPDIR": INSIDE_WORK, "PYTHONDONTWRITEBYTECODE": "1"})
    env.update({k: inside_text(v, python=python) for k, v in job.env.items()})
    return env


@dataclass(frozen=True)
class SandboxLimits:
    wall_s: float = 60.0
    memory_mb: int = 2048
    pids: int = 256
    cpus: float = 2.0
    output_bytes: int = 1 << 20  # per stream
    tmpfs_mb: int = 256
    nofile: int = 1024

    def clamped(self, caps: "SandboxLimits") -> "SandboxLimits":
        """Each limit no larger than the server-wide cap."""
        return SandboxLimits(
            wall_s=min(self.wall_s, caps.wall_s),
            memory_mb=min(self.memory_mb, caps.memory_mb),
            pids=min(self.pids, caps.pids),
            cpus=min(self.cpus, caps.cpus),
            output_bytes=min(self.output_bytes, caps.output_bytes),
            tmpfs_mb=min(self.tmpfs_mb, caps.tmpfs_mb),
            nofile=min(self.nofile, caps.nofile),
        )


# Server-wide caps, the only ones: whatever a challenge spec asks for, a job never gets more
# than this (graders.pipeline clamps with `server_caps()`, and every backend again).
# Each can be lowered (or raised) per host with HOTPATH_SANDBOX_MAX_<FIELD>, e.g.
# HOTPATH_SANDBOX_MAX_MEMORY_MB=16384.
DEFAULT_CAPS = SandboxLimits(wall_s=1800.0, memory_mb=65536, pids=1024, cpus=16.0, output_bytes=16 << 20, tmpfs_mb=8192, nofile=4096)


def server_caps() -> SandboxLimits:
    values = {}
    for f in dataclasses.fields(SandboxLimits):
        raw = os.environ.get(f"HOTPATH_SANDBOX_MAX_{f.name.upper()}")
        default = getattr(DEFAULT_CAPS, f.name)
        values[f.name] = type(default)(raw) if raw else default
    return SandboxLimits(**values)


@dataclass(frozen=True)
class SandboxJob:
    """What to run.

    ``bundle`` is the trusted supervisor's bundle (it holds the harness, the spec and
    the hidden files); ``worker_bundle`` holds only the candidate's files. ``argv`` runs
    with the current directory set to a private, writable working dir; ``{bundle}`` and
    ``{worker_bundle}`` in argv are replaced by the paths the backend exposes them at.
    """

    argv: tuple[str, ...]
    bundle: Path
    worker_bundle: Path | None = None
    limits: SandboxLimits = field(default_factory=SandboxLimits)
    env: dict[str, str] = field(default_factory=dict)
    gpu: int | None = None  # device index on the host, or None for no GPU
    label: str = "hotpath"
    # Called on the caller's thread with each complete line of the job's stdout while it runs
    # (lines within the output cap; a failing callback loses its line only). The job's stdout is
    # its trusted channel: the harness's supervisor writes its progress events there.
    on_stdout_line: Callable[[bytes], None] | None = field(default=None, compare=False, repr=False)


@dataclass
class SandboxResult:
    exit_code: int | None
    stdout: bytes
    stderr: bytes
    wall_s: float
    cpu_s: float
    peak_memory_mb: float | None
    timeout: bool = False
    oom_killed: bool = False
    output_limited: bool = False
    error: str | None = None  # the backend itself failed (-> internal_error)
    backend: str = ""
    phases: dict[str, float] = field(default_factory=dict)  # backend timings (s): start, run, teardown

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)
