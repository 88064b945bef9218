"""Clocks the supervisor reads from outside the worker: wall time, and the worker's CPU time.

On a shared CPU host most of the wall-clock noise of a round trip is the scheduler (time spent
runnable, waiting for a core), which says nothing about the candidate. The CPU time the kernel
charged to the worker's threads (`/proc/<pid>/task/*/schedstat`, nanoseconds on the CPU) does
not contain that wait, so on the `cpu` device it is the judging outside clock (summed over the
worker's process group, so work moved into a forked child still counts): work hidden from the
in-process timer shows in it. It cannot see threads that exited before the batch ended, nor a
process moved out of the group (`setsid`); the wall clock, reported beside it, does.

A thread or child that ran and exited within a batch is missing from that sum. So the
supervisor also reads the pid namespace's last pid around each batch: where it moved, work
may have run where the CPU clock cannot see it, and the wall clock judges that side too.
"""
from __future__ import annotations

import os
import time


def cpu_time_ns(pid: int) -> int | None:
    """Nanoseconds on the CPU, summed over the process's live threads; None where unreadable."""
    sched = sched_ns(pid)
    return None if sched is None else sched[0]


def sched_ns(pid: int) -> tuple[int, int] | None:
    """(ns on a CPU, ns runnable but waiting for one), summed over the process's live threads."""
    running = waiting = 0
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as fh:
                fields = fh.read().split()
            running, waiting = running + int(fields[0]), waiting + int(fields[1])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended between listing and reading
    return running, waiting


def last_pid() -> int | None:
    """The last pid handed out in this pid namespace: it moves whenever any process or thread is
    created (the sandbox gives the job a namespace of its own)."""
    try:
        with open("/proc/sys/kernel/ns_last_pid") as fh:
            return int(fh.read())
    except (OSError, ValueError):
        return None


def group_cpu_time_ns(pgid: int) -> int | None:
    """CPU nanoseconds of every process in the process group (a worker and whatever it forked)."""
    sched = group_sched_ns(pgid)
    return None if sched is None else sched[0]


def group_sched_ns(pgid: int) -> tuple[int, int] | None:
    """`sched_ns` summed over every process in the process group; None where none is readable."""
    running = waiting = 0
    found = False
    for pid in _group_members(pgid):
        value = sched_ns(pid)
        if value is not None:
            running, waiting, found = running + value[0], waiting + value[1], True
    return (running, waiting) if found else None


def _group_members(pgid: int) -> list[int]:
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    members = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:
                members.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return members


class OutsideClocks:
    """The supervisor's clocks around one batch: wall time and, on the cpu device, the CPU time of
    the worker's process group; and whether any process or thread was created meanwhile (the pid
    namespace's last pid moved), whose CPU time the group's clock could miss once it exited."""

    def __init__(self, pid: int, device: str) -> None:
        self.pid, self.cpu_device = pid, device == "cpu"

    def __enter__(self) -> "OutsideClocks":
        self.sched = group_sched_ns(self.pid) if self.cpu_device else None
        self.last_pid = last_pid() if self.cpu_device else None
        self.started = time.perf_counter_ns()
        return self

    def __exit__(self, *exc) -> None:
        wall = time.perf_counter_ns() - self.started
        after = group_sched_ns(self.pid) if self.sched is not None else None
        self.spawned = self.cpu_device and last_pid() != self.last_pid
        self.readings: dict[str, int | None] = {"wall": wall}
        if after is not None and after[0] >= self.sched[0]:
            self.readings["cpu"] = after[0] - self.sched[0]
