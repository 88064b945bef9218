"""Privileges of the processes of one job, in one place: the jail (sandbox/jail.py), the
fork servers (sandbox/forkserver.py) and the harness's supervisor (graders/harness/worker_process.py)
all use these functions. Standard library only: the pipeline ships this file into every job's
bundle (`bundle/lib/sandbox/`, see `sandbox.ship_runtime`), and the harness imports it there.

Uids inside a sandbox: 0 is the trusted supervisor (capabilities bounded to chown, setuid,
setgid and kill, then only kill); 65534 (`nobody`) runs the candidate's code; 65533 is mapped
by the process jail for other workers. Every worker ends with no capability, `no_new_privs`
and a high `oom_score_adj`; the candidate's also with the seccomp filter (sandbox/seccomp.py).
"""
from __future__ import annotations

import ctypes
import os

from sandbox import seccomp

CAPS = {"chown": 0, "kill": 5, "setgid": 6, "setuid": 7, "setpcap": 8, "sys_admin": 21}
CAP_KILL = CAPS["kill"]
NOBODY = 65534
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
SAFE_PATH = "/usr/local/bin:/usr/bin:/bin"  # the PATH of every worker: never the host's


class PrivilegeError(OSError):
    pass


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


_LIBC = None


def libc():
    global _LIBC
    if _LIBC is None:
        _LIBC = ctypes.CDLL(None, use_errno=True)
        _LIBC.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    return _LIBC


def check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise PrivilegeError(err, f"{what}: {os.strerror(err)}")


def prctl(option: int, arg: int, what: str) -> None:
    check(libc().prctl(option, arg, 0, 0, 0), what)


def set_capabilities(caps: set[int]) -> None:
    """Permitted and effective sets become `caps` (a subset of what we hold); inheritable empty."""
    low = sum(1 << c for c in caps if c < 32)
    high = sum(1 << (c - 32) for c in caps if c >= 32)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)(_CapData(low, low, 0), _CapData(high, high, 0))
    check(libc().capset(ctypes.byref(header), data), "capset")


def bound_capabilities(names: list[str]) -> None:
    """Bounding set, permitted and effective reduced to `names` (see CAPS); inheritable emptied.
    Without CAP_SETPCAP the bounding set stays; no_new_privs then keeps an exec from regaining more."""
    keep = {CAPS[n] for n in names}
    if not capabilities() & (1 << CAPS["setpcap"]):
        set_capabilities({c for c in keep if capabilities() & (1 << c)})
        return
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        last = int(fh.read())
    for cap in range(last + 1):
        if cap not in keep:
            prctl(PR_CAPBSET_DROP, cap, f"drop capability {cap} from the bounding set")
    set_capabilities(keep)


def capabilities() -> int:
    """The effective capability mask of this process (0 where /proc is not there)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("CapEff:"):
                    return int(line.split()[1], 16)
    except OSError:
        pass
    return 0


def set_no_new_privs() -> None:
    """exec can then never give back what was dropped (setuid binaries, file capabilities)."""
    prctl(PR_SET_NO_NEW_PRIVS, 1, "no_new_privs")


def set_dumpable(value: bool) -> None:
    prctl(PR_SET_DUMPABLE, int(value), "dumpable")


def die_with_parent(signal_number: int) -> None:
    prctl(PR_SET_PDEATHSIG, signal_number, "parent death signal")


def raise_oom_score() -> None:
    """Under memory pressure the kernel kills a worker, never the supervisor."""
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass


def become(uid: int | None, gid: int | None) -> None:
    """Switch to uid/gid with no supplementary group; dumpable again, as after an exec, so
    that its own /proc/self belongs to it (and to nobody else of another uid)."""
    if uid is None:
        return
    os.setgroups([])
    os.setgid(uid if gid is None else gid)
    os.setuid(uid)
    set_dumpable(True)


def seal_worker() -> None:
    """The last steps of every worker before its module runs: no_new_privs, no capability."""
    set_no_new_privs()
    if capabilities():
        set_capabilities(set())


def jail_worker(uid: int | None, gid: int | None, *, filtered: bool) -> None:
    """Everything a worker child does to itself between fork and running the worker (the
    template's fork, or a Popen preexec_fn where the uid switch was already made)."""
    set_dumpable(True)  # after a uid switch already made (Popen's), /proc/self is root's until then
    raise_oom_score()  # before our own setuid, for the same reason
    become(uid, gid)
    seal_worker()
    if filtered:
        seccomp.install(seccomp.WORKER)


def drop_supervisor_privileges() -> None:
    """The supervisor keeps only CAP_KILL (to kill and pause a worker of another uid); idempotent."""
    try:
        set_no_new_privs()
    except OSError:
        pass
    held = capabilities()
    if held & ~(1 << CAP_KILL):
        set_capabilities({CAP_KILL} if held & (1 << CAP_KILL) else set())
