"""Clocks the supervisor reads from outside the worker: wall time, and the worker's CPU time.

On a shared CPU host most of the wall-clock noise of a round trip is the scheduler (time spent
runnable, waiting for a core), which says nothing about the candidate. The CPU time the kernel
charged to the worker's threads (`/proc/<pid>/task/*/schedstat`, nanoseconds on the CPU) does
not contain that wait, so on the `cpu` device it is the judging outside clock (summed over the
worker's process group, so work moved into a forked child still counts): work hidden from the
in-process timer shows in it. It cannot see threads that exited before the batch ended, nor a
process moved out of the group (`setsid`); the wall clock, reported beside it, does.
"""
from __future__ import annotations

import os


def cpu_time_ns(pid: int) -> int | None:
    """Nanoseconds on the CPU, summed over the process's live threads; None where unreadable."""
    total = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                total += int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended between listing and reading
    return total


def group_cpu_time_ns(pgid: int) -> int | None:
    """CPU nanoseconds of every process in the process group (a worker and whatever it forked)."""
    total, found = 0, False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
        except (OSError, ValueError, IndexError):
            continue
        value = cpu_time_ns(int(entry))
        if value is not None:
            total += value
            found = True
    return total if found else None
