"""Memory and pids limits through cgroups, v1 or v2, where this host lets us create one.

Memory is limited with cgroups, never RLIMIT_AS: torch reserves address space at
import and aborts under an address-space limit.
"""
from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


class JobCgroup:
    """One cgroup (v2) or a pair of memory+pids cgroups (v1) for one job."""

    def __init__(self, *, memory_bytes: int, pids: int) -> None:
        self.memory_bytes = memory_bytes
        self.pids = pids
        self.name = f"hotpath-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.dirs: dict[str, Path] = {}
        self.version = 0

    # -- creation -----------------------------------------------------------------
    def create(self) -> bool:
        """Create and configure the cgroup; False (and nothing left behind) where we cannot."""
        try:
            if (CGROUP_ROOT / "cgroup.controllers").exists():
                return self._create_v2()
            if (CGROUP_ROOT / "memory").is_dir():
                return self._create_v1()
        except OSError:
            self.remove()
        return False

    def _create_v2(self) -> bool:
        parent = _own_v2_cgroup()
        controllers = (parent / "cgroup.controllers").read_text().split()
        if "memory" not in controllers:
            return False
        enabled = (parent / "cgroup.subtree_control").read_text().split()
        for controller in ("memory", "pids", "cpu"):
            if controller not in enabled and controller in controllers:
                try:  # fails where our own cgroup holds processes (the "no internal processes" rule)
                    (parent / "cgroup.subtree_control").write_text(f"+{controller}")
                except OSError:
                    pass
        path = parent / self.name
        path.mkdir()
        self.dirs["unified"] = path
        self.version = 2
        if not (path / "memory.max").exists():
            self.remove()
            return False
        (path / "memory.max").write_text(str(self.memory_bytes))
        if (path / "memory.swap.max").exists():
            (path / "memory.swap.max").write_text("0")
        if (path / "pids.max").exists():
            (path / "pids.max").write_text(str(self.pids))
        return True

    def _create_v1(self) -> bool:
        mem = _own_v1_cgroup("memory") / self.name
        mem.mkdir()
        self.dirs["memory"] = mem
        self.version = 1
        (mem / "memory.limit_in_bytes").write_text(str(self.memory_bytes))
        memsw = mem / "memory.memsw.limit_in_bytes"
        if memsw.exists():
            try:
                memsw.write_text(str(self.memory_bytes))
            except OSError:
                pass
        for controller in ("cpuacct", "pids"):
            if (CGROUP_ROOT / controller).is_dir():
                try:
                    path = _own_v1_cgroup(controller) / self.name
                    path.mkdir()
                    self.dirs[controller] = path
                except OSError:
                    pass
        if "pids" in self.dirs:
            (self.dirs["pids"] / "pids.max").write_text(str(self.pids))
        return True

    # -- use ------------------------------------------------------------------------
    def add(self, pid: int) -> None:
        for path in self.dirs.values():
            (path / "cgroup.procs").write_text(str(pid))

    def enter_self(self) -> None:
        """For preexec_fn: the child joins before it can fork, so nothing escapes the limits."""
        self.add(os.getpid())

    def cpu_seconds(self) -> float | None:
        try:
            if self.version == 2:
                return _read_keyed(self.dirs["unified"] / "cpu.stat")["usage_usec"] / 1e6
            if "cpuacct" in self.dirs:
                return int((self.dirs["cpuacct"] / "cpuacct.usage").read_text()) / 1e9
        except (OSError, KeyError, ValueError):
            return None
        return None

    def pids_inside(self) -> list[int]:
        found: set[int] = set()
        for path in self.dirs.values():
            try:
                found.update(int(p) for p in (path / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(found)

    def kill_all(self) -> None:
        unified = self.dirs.get("unified")
        if unified is not None and (unified / "cgroup.kill").exists():
            try:
                (unified / "cgroup.kill").write_text("1")
            except OSError:
                pass
        for _ in range(50):
            pids = self.pids_inside()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)

    def oom_killed(self) -> bool:
        if self.version == 2:
            events = _read_keyed(self.dirs["unified"] / "memory.events")
            return events.get("oom_kill", 0) > 0
        if self.version == 1:
            control = _read_keyed(self.dirs["memory"] / "memory.oom_control")
            if control.get("oom_kill", 0) > 0:
                return True
            try:
                return int((self.dirs["memory"] / "memory.failcnt").read_text()) > 0 and self._at_limit_v1()
            except OSError:
                return False
        return False

    def _at_limit_v1(self) -> bool:
        peak = int((self.dirs["memory"] / "memory.max_usage_in_bytes").read_text())
        return peak >= self.memory_bytes * 0.95

    def peak_memory_mb(self) -> float | None:
        try:
            if self.version == 2:
                peak_file = self.dirs["unified"] / "memory.peak"
                if peak_file.exists():
                    return int(peak_file.read_text()) / 2**20
                return None
            if self.version == 1:
                return int((self.dirs["memory"] / "memory.max_usage_in_bytes").read_text()) / 2**20
        except OSError:
            return None
        return None

    def remove(self) -> None:
        self.kill_all()
        for path in self.dirs.values():
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.dirs.clear()


def _own_v2_cgroup() -> Path:
    rel = Path("/proc/self/cgroup").read_text().strip().splitlines()[-1].split(":", 2)[2]
    return CGROUP_ROOT / rel.lstrip("/")


def _own_v1_cgroup(controller: str) -> Path:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, rel = line.split(":", 2)
        if controller in controllers.split(","):
            return CGROUP_ROOT / controller / rel.lstrip("/")
    return CGROUP_ROOT / controller


def _read_keyed(path: Path) -> dict[str, int]:
    values: dict[str, int] = {}
    try:
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            if value.strip().isdigit():
                values[key] = int(value)
    except OSError:
        pass
    return values


def reap_stale_cgroups() -> list[str]:
    """Remove job cgroups whose creating process is gone (a worker killed mid-job leaves its
    cgroup behind): their processes are killed first, then the directories removed."""
    removed = []
    parents = {_own_v1_cgroup(c) for c in ("memory", "cpuacct", "pids") if (CGROUP_ROOT / c).is_dir()}
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        parents.add(_own_v2_cgroup())
    for parent in parents:
        for path in parent.glob("hotpath-*-*"):
            owner = path.name.split("-")[1]
            if not owner.isdigit() or Path(f"/proc/{owner}").exists():
                continue
            stale = JobCgroup(memory_bytes=0, pids=0)
            stale.dirs = {"stale": path}
            stale.remove()
            removed.append(str(path))
    return removed
