"""Stop the candidate's processes while the trusted baseline is being timed.

A candidate could leave a thread spinning (or queueing GPU work) to slow the baseline
down and so inflate its own speedup. SIGSTOP on its process group while the baseline
runs takes that away: a stopped process neither runs on a CPU nor launches new GPU work.
"""
from __future__ import annotations

import os
import signal
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING

from graders import verdicts
from graders.harness.outcome import Outcome

if TYPE_CHECKING:
    from graders.harness.supervisor import Session

IDLE_CPU_LIMIT = 0.10  # of one core, over all the baseline's batches together (cpu device); an idle worker uses ~0


@contextmanager
def paused(worker):
    pid = getattr(getattr(worker, "proc", None), "pid", None)
    stopped = False
    if pid is not None and worker.proc.poll() is None:
        try:
            os.killpg(pid, signal.SIGSTOP)
            stopped = True
        except (ProcessLookupError, PermissionError):
            pass
    try:
        yield
    finally:
        if stopped:
            try:
                os.killpg(pid, signal.SIGCONT)
            except (ProcessLookupError, PermissionError):
                pass


@contextmanager
def watched(worker, sink: list):
    """Record (CPU ns used by the worker's threads, wall ns) over the block; the block gets the
    worker's CPU time (ns) at its start, or None where it could not be read.

    For the cpu device, where stopping the candidate would bias the ratio (a process resumed
    after SIGSTOP ran about 13% slower for a while on a busy 2-core host, measured with the same
    code on both sides): the idle candidate is watched instead, and a candidate that keeps a
    CPU busy while the baseline is timed is caught from its own CPU time.
    """
    from graders.harness.clocks import group_cpu_time_ns

    pid = getattr(getattr(worker, "proc", None), "pid", None)  # the worker leads its own process group
    before = group_cpu_time_ns(pid) if pid is not None else None
    started = time.perf_counter_ns()
    try:
        yield before
    finally:
        after = group_cpu_time_ns(pid) if pid is not None else None
        if before is not None and after is not None:
            sink.append((after - before, time.perf_counter_ns() - started))


def quiet_candidate(session: "Session", role: str):
    """Keep the candidate from interfering with the baseline while the baseline is timed.

    On CUDA the candidate's processes are stopped (SIGSTOP): a thread it left running could
    queue GPU work beside the baseline's, which its CPU time would not show. On the cpu device
    stopping would bias the ratio (see `watched`), so the idle candidate is watched instead
    and `check_idle` rejects one that kept a CPU busy.
    """
    if role != "baseline":
        return paused(None)
    if session.device.type == "cuda":
        return paused(session.candidate)
    return _watched_with_mark(session)


@contextmanager
def _watched_with_mark(session: "Session"):
    """`watched`, and the candidate's CPU time (s) that it read at the start of the block, with the
    time, kept on the session (`candidate_watch_mark`): a baseline call that times out inside the block is judged
    from them (graders/harness/phases.py), so no call of the batch pays for reading /proc: a read
    before every baseline call, and none before the candidate's, made the baseline 2-4% slower."""
    try:
        with watched(session.candidate, session.candidate_idle_cpu) as before_ns:
            session.candidate_watch_mark = (None if before_ns is None else before_ns / 1e9, time.monotonic())
            yield
    finally:
        session.candidate_watch_mark = None


def check_idle(session: "Session") -> None:
    """A candidate should use no CPU while it waits; one that spins beside the baseline is rejected.

    The share is the candidate's CPU time over the wall time of all the baseline's batches
    together, not a median per batch: the kernel charges a spinning process's CPU time in lumps
    (at its context switches and ticks), so over batches of a few milliseconds most read 0 and
    a median of them hides a spinner that took a third of the core (tests/hostile/submissions/cpu_hog.py)."""
    log = session.candidate_idle_cpu
    wall = sum(w for _, w in log)
    if len(log) < 3 or wall <= 0:
        return
    busy = sum(cpu for cpu, _ in log) / wall
    session.metrics["candidate_idle_cpu_fraction"] = busy
    if busy > IDLE_CPU_LIMIT:
        raise Outcome(verdicts.REJECTED, f"the candidate's processes kept {busy:.0%} of a CPU busy while the baseline was being timed")
