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
    """Record (CPU ns used by the worker's threads, wall ns) over the block.

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
        yield
    finally:
        after = group_cpu_time_ns(pid) if pid is not None else None
        if before is not None and after is not None:
            sink.append((after - before, time.perf_counter_ns() - started))
