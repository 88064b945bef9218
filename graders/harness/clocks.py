"""Clocks the supervisor reads from outside the worker: wall time, and the worker's CPU time.

On a shared CPU host most of the wall-clock noise of a round trip is the scheduler (time spent
runnable, waiting for a core), which says nothing about the candidate. The CPU time the kernel
charged to the worker's threads (`/proc/<pid>/task/*/schedstat`, nanoseconds on the CPU) does
not contain that wait, so on the `cpu` device it is the judging outside clock (summed over the
worker's process group, so work moved into a forked child still counts): work hidden from the
in-process timer shows in it. It cannot see a thread or child that ran and exited within a
batch, nor a process moved out of the group (`setsid`). So the supervisor also reads the pid
namespace's last pid around each batch: where it moved, work may have run where the CPU clock
cannot see it, and the wall clock judges that side too.
"""
from __future__ import annotations

import os
import time


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
    times = [t for t in (cpu_time_ns(pid) for pid in _group_members(pgid)) if t is not None]
    return sum(times) if times else None


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
        self.cpu = group_cpu_time_ns(self.pid) if self.cpu_device else None
        self.last_pid = last_pid() if self.cpu_device else None
        self.started = time.perf_counter_ns()
        return self

    def __exit__(self, *exc) -> None:
        wall = time.perf_counter_ns() - self.started
        after = group_cpu_time_ns(self.pid) if self.cpu is not None else None
        self.spawned = self.cpu_device and last_pid() != self.last_pid
        self.readings: dict[str, int | None] = {"wall": wall}
        if after is not None and after >= self.cpu:
            self.readings["cpu"] = after - self.cpu
