"""A process's own allocations capped at the sandbox's whole memory limit (RLIMIT_DATA), for the
trusted sides only: the supervisor while it computes the oracle, the baseline worker for its session.

The sandbox limits memory with a cgroup, which kills the largest process when the group is full:
the killed one is not always the one that used too much, and the supervisor, killed, writes no
result. A trusted process that caps its own new allocations at the whole limit turns "this alone
needs more than the sandbox has" into an allocation error in that process (torch's "can't
allocate memory", Python's MemoryError), which no other process's memory use can cause: the
package's fault, reported as such (graders/harness/phases.py). Only on the cpu device (a CUDA
runtime maps address space far beyond what it uses).
"""
from __future__ import annotations

import resource
from pathlib import Path

ALLOCATION_WORDS = ("can't allocate memory", "cannot allocate memory", "out of memory", "failed to allocate")


def status_kb(field: str, pid: int | str = "self") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def cap_data(limit_mb: float) -> tuple[int, int] | None:
    """Cap this process's new allocations so that its resident anonymous memory can grow to about
    `limit_mb` in all; returns the previous (soft, hard) limits to restore, or None where it could
    not be set. The soft limit only: the process may always raise it back."""
    data_kb, anon_kb = status_kb("VmData"), status_kb("RssAnon")
    if data_kb is None or anon_kb is None:
        return None
    previous = resource.getrlimit(resource.RLIMIT_DATA)
    soft = (data_kb + max(int(limit_mb * 1024) - anon_kb, 0)) * 1024
    hard = previous[1]
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (soft, hard))
    except (ValueError, OSError):
        return None
    return previous


def restore(previous: tuple[int, int] | None) -> None:
    if previous is not None:
        try:
            resource.setrlimit(resource.RLIMIT_DATA, previous)
        except (ValueError, OSError):
            pass


def is_allocation_failure(exc: BaseException | None = None, *, text: str = "") -> bool:
    if isinstance(exc, MemoryError):
        return True
    text = (text or str(exc or "")).lower()
    return any(word in text for word in ALLOCATION_WORDS)
