"""A seccomp filter modelled on Docker's default profile, built with `struct` and installed with
seccomp(2) through ctypes: standard library only (shipped into job bundles, like privileges.py).

The process backend installs it on the whole job (sandbox/jail.py, after the jail is built and
before the command runs), and every candidate worker installs it again on both backends
(sandbox/privileges.py `jail_worker`), so on Docker it stacks on the engine's own profile.
Denied calls fail with EPERM (the candidate sees an error, never a kill); `clone3` fails with
ENOSYS, because its flags sit in a struct a filter cannot read, and glibc then falls back to
`clone`, whose flags it can. Any other architecture than the one the filter was built for
(x86_64's i386 and x32 entry points included) is refused everything.

What it denies: new namespaces (`unshare`, `clone` with any CLONE_NEW* flag, `setns`), mounts
(`mount`, `umount2`, `pivot_root`, the new mount API), tracing another process (`ptrace`,
`process_vm_readv/writev`, `kcmp`, `pidfd_getfd`), kernel keyrings, `bpf`, `userfaultfd`,
`io_uring`, modules and `kexec`, `reboot`, swap, clocks, host names, `acct`, `quotactl`,
`open_by_handle_at`, x86 port I/O. `perf_event_open` stays allowed: the kernel's
`perf_event_paranoid` already limits it to the caller's own threads unprivileged, and
profilers may use it (ncu itself goes through the NVIDIA driver, not perf).
"""
from __future__ import annotations

import ctypes
import errno
import os
import struct

AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
X32_SYSCALL_BIT = 0x40000000
NS_FLAGS = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | 0x80  # NEWNS CGROUP UTS IPC USER PID NET TIME
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS, BPF_JEQ_K, BPF_JGE_K, BPF_JSET_K, BPF_RET_K = 0x20, 0x15, 0x35, 0x45, 0x06
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16  # struct seccomp_data; arg0's low word (little-endian)
SYS_SECCOMP = {"x86_64": 317, "aarch64": 277}
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2

# name: (x86_64, aarch64); None where the architecture has no such call
SYSCALLS = {
    "mount": (165, 40), "umount2": (166, 39), "pivot_root": (155, 41), "open_tree": (428, 428), "move_mount": (429, 429),
    "fsopen": (430, 430), "fsconfig": (431, 431), "fsmount": (432, 432), "fspick": (433, 433), "mount_setattr": (442, 442),
    "setns": (308, 268), "ptrace": (101, 117), "process_vm_readv": (310, 270), "process_vm_writev": (311, 271),
    "kcmp": (312, 272), "pidfd_getfd": (438, 438), "keyctl": (250, 219), "add_key": (248, 217), "request_key": (249, 218),
    "bpf": (321, 280), "userfaultfd": (323, 282), "io_uring_setup": (425, 425), "io_uring_enter": (426, 426),
    "io_uring_register": (427, 427), "init_module": (175, 105), "finit_module": (313, 273), "delete_module": (176, 106),
    "kexec_load": (246, 104), "kexec_file_load": (320, 294), "reboot": (169, 142), "swapon": (167, 224), "swapoff": (168, 225),
    "settimeofday": (164, 170), "clock_settime": (227, 112), "clock_adjtime": (305, 266), "sethostname": (170, 161),
    "setdomainname": (171, 162), "acct": (163, 89), "quotactl": (179, 60), "lookup_dcookie": (212, 18),
    "open_by_handle_at": (304, 265), "iopl": (172, None), "ioperm": (173, None), "uselib": (134, None), "_sysctl": (156, None),
}
FLAG_CHECKED = {"clone": (56, 220), "unshare": (272, 97)}  # denied only with a CLONE_NEW* flag
ENOSYS_CALLS = {"clone3": (435, 435)}
WORKER = "worker"  # the one profile; the name leaves room for others


def _insn(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _number(table: dict, name: str, machine: str) -> int | None:
    return table[name][0 if machine == "x86_64" else 1]


def build(machine: str | None = None) -> bytes:
    """The BPF program for `machine` (default: this one's), as bytes of struct sock_filter."""
    machine = machine or os.uname().machine
    if machine not in AUDIT_ARCH:
        raise OSError(errno.ENOSYS, f"no seccomp filter for {machine}")
    eperm, enosys = SECCOMP_RET_ERRNO | errno.EPERM, SECCOMP_RET_ERRNO | errno.ENOSYS
    prog = [_insn(BPF_LD_W_ABS, OFFSET_ARCH), _insn(BPF_JEQ_K, AUDIT_ARCH[machine], 1, 0), _insn(BPF_RET_K, eperm),
            _insn(BPF_LD_W_ABS, OFFSET_NR)]
    if machine == "x86_64":
        prog += [_insn(BPF_JGE_K, X32_SYSCALL_BIT, 0, 1), _insn(BPF_RET_K, eperm)]
    for table, action in ((SYSCALLS, eperm), (ENOSYS_CALLS, enosys)):
        for name in table:
            number = _number(table, name, machine)
            if number is not None:
                prog += [_insn(BPF_JEQ_K, number, 0, 1), _insn(BPF_RET_K, action)]
    for name in FLAG_CHECKED:
        # matched: load the flags and return from this block either way (A no longer holds nr)
        prog += [_insn(BPF_JEQ_K, _number(FLAG_CHECKED, name, machine), 0, 4), _insn(BPF_LD_W_ABS, OFFSET_ARG0),
                 _insn(BPF_JSET_K, NS_FLAGS, 0, 1), _insn(BPF_RET_K, eperm), _insn(BPF_RET_K, SECCOMP_RET_ALLOW)]
    return b"".join(prog) + _insn(BPF_RET_K, SECCOMP_RET_ALLOW)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def install(profile: str = WORKER) -> None:
    """Install the filter on every thread of this process; needs no_new_privs (or CAP_SYS_ADMIN).
    Raises OSError where the kernel refuses it: a worker must not run unfiltered by accident."""
    if profile != WORKER:
        raise ValueError(f"unknown seccomp profile {profile!r}")
    machine = os.uname().machine
    program = build(machine)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    ret = libc.syscall(SYS_SECCOMP[machine], SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, ctypes.byref(fprog))
    if ret != 0 and ctypes.get_errno() == errno.ENOSYS:  # kernels before 3.17: this thread only
        ret = libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"installing the seccomp filter: {os.strerror(err)}")


def filtered() -> bool:
    """Whether this process runs under at least one seccomp filter (Seccomp: 2 in /proc/self/status)."""
    try:
        with open("/proc/self/status") as fh:
            return any(line.split()[1:] == ["2"] for line in fh if line.startswith("Seccomp:"))
    except OSError:
        return False
