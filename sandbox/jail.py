"""A namespace jail for one command: the process backend runs `python -I -S jail.py` with a
JSON config on stdin (standard library only, single-threaded, so fork and unshare are safe).

    jail.py (P0, in the job's cgroup)          waits for C1, exits with its status
      └ C1: unshare(user, mount, pid, net, ipc, uts); P0 writes its uid/gid maps
          └ C2: PID 1 of the new PID namespace: builds a read-only root from bind mounts,
              │   pivots into it, keeps only the configured capabilities, reaps orphans
              └ C3: execs the command; when it exits C2 exits and the kernel kills
                    everything left in the namespace (double-forked daemons included)

Uid maps: as host root, ``0 0 1`` plus the worker uids (65533-65534) map to themselves, so
the trusted supervisor (uid 0 in the namespace, capabilities bounded to setuid, setgid and
kill) can start workers as `nobody`; unprivileged, only the caller's own uid maps to 0 and
every process of the job shares it.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
CAPS = {"chown": 0, "kill": 5, "setgid": 6, "setuid": 7}
# statvfs flags that a bind remount inside a user namespace must keep (they are locked)
ST_TO_MS = {1: MS_RDONLY, 2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME, 4096: MS_RELATIME}

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


class JailError(Exception):
    pass


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise JailError(f"{what}: {os.strerror(err)}")


def _b(value: str | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {source or fstype} on {target}")


# -- the filesystem view ---------------------------------------------------------------------
def _mkdirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def bind(root: str, source: str, target: str, *, writable: bool = False, recursive: bool = False) -> None:
    dest = root + target
    if os.path.isdir(source):
        _mkdirs(dest)
    else:
        _mkdirs(os.path.dirname(dest))
        if not os.path.exists(dest):
            open(dest, "w").close()
    mount(source, dest, None, MS_BIND | (MS_REC if recursive else 0))
    locked = 0
    for st_flag, ms_flag in ST_TO_MS.items():
        if os.statvfs(dest).f_flag & st_flag:
            locked |= ms_flag
    flags = MS_BIND | MS_REMOUNT | MS_NOSUID | locked | (0 if writable else MS_RDONLY)
    if writable:
        flags &= ~MS_RDONLY
    mount(None, dest, None, flags)


def build_root(root: str, config: dict) -> None:
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for name, target in config.get("symlinks", {}).items():
        os.symlink(target, root + name)
    # tmpfs first: a bind that lives under one (a checkout or venv under /tmp) stays visible.
    for entry in config["tmpfs"]:
        _mkdirs(root + entry["dst"])
        mount("tmpfs", root + entry["dst"], "tmpfs", MS_NOSUID | MS_NODEV, f"size={entry['size']},mode={entry.get('mode', '0755')}")
    for entry in config["binds"]:
        bind(root, entry["src"], entry["dst"], writable=entry.get("rw", False), recursive=entry.get("rec", False))
    _mkdirs(root + "/dev")
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        bind(root, f"/dev/{node}", f"/dev/{node}", writable=True)
    for node in config.get("devices", []):
        bind(root, node, node, writable=True)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    _mkdirs(root + "/proc")
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def pivot(root: str) -> None:
    os.chdir(root)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise JailError(f"pivot_root: unknown syscall number on {os.uname().machine}")
    _check(libc.syscall(number, b".", b"."), "pivot_root")
    _check(libc.umount2(b".", MNT_DETACH), "detach the host root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


# -- privileges ----------------------------------------------------------------------------------
class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def keep_only_capabilities(names: list[str]) -> None:
    """Bounding set, permitted and effective reduced to `names`; inheritable emptied."""
    keep = {CAPS[n] for n in names}
    last = int(open("/proc/sys/kernel/cap_last_cap").read())
    for cap in range(last + 1):
        if cap not in keep:
            _check(libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0), f"drop capability {cap} from the bounding set")
    mask = sum(1 << c for c in keep)
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)(_CapData(mask, mask, 0), _CapData(0, 0, 0))
    _check(libc.capset(ctypes.byref(header), data), "capset")


def apply_rlimits(limits: dict) -> None:
    import resource

    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))


# -- the process tree ---------------------------------------------------------------------------
def write_id_maps(pid: int, config: dict) -> None:
    if os.geteuid() == 0:
        uid_map, gid_map = config["uid_map"], config["gid_map"]
    else:
        with open(f"/proc/{pid}/setgroups", "w") as fh:
            fh.write("deny")
        uid_map, gid_map = f"0 {os.geteuid()} 1", f"0 {os.getegid()} 1"
    with open(f"/proc/{pid}/uid_map", "w") as fh:
        fh.write(uid_map)
    with open(f"/proc/{pid}/gid_map", "w") as fh:
        fh.write(gid_map)


def init_process(config: dict) -> int:
    """PID 1 of the job's PID namespace: set the jail up, run the command, reap, exit with it."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    build_root(config["root"], config)
    pivot(config["root"])
    libc.sethostname(b"hotpath", 7)
    child = os.fork()
    if child == 0:
        try:
            exec_command(config)
        except BaseException as exc:  # noqa: BLE001 - report and leave; the caller maps it
            os.write(2, f"jail: could not start the command: {exc}\n".encode())
        os._exit(127)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 127
        if pid == child:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def exec_command(config: dict) -> None:
    os.chdir(config["cwd"])
    apply_rlimits(config.get("rlimits", {}))
    if os.geteuid() == 0 and config.get("keep_caps") is not None:
        keep_only_capabilities(config["keep_caps"])
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    argv = config["argv"]
    if config.get("in_process"):
        env = dict(config["env"])
        if config.get("worker_template", True):
            env[WORKER_TEMPLATE_ENV] = str(start_worker_template())
        os._exit(run_module_in_process(argv, env))
    os.execvpe(argv[0], argv, config["env"])


def _fresh_process_state(env: dict[str, str]) -> None:
    """What a freshly exec'd interpreter would differ in: threads per env, numpy's global RNG."""
    if "torch" in sys.modules and env.get("OMP_NUM_THREADS", "").isdigit():
        sys.modules["torch"].set_num_threads(int(env["OMP_NUM_THREADS"]))
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()  # from the OS: no two forks share a sequence
    # `random` reseeds itself after fork; torch's default generator was never used in the template


def run_module_in_process(argv: list[str], env: dict[str, str]) -> int:
    """`python -m MODULE ARGS` or `python -c CODE ARGS` inside this (template-forked, torch
    pre-imported) interpreter."""
    import runpy

    os.environ.clear()
    os.environ.update(env)
    sys.dont_write_bytecode = True
    _fresh_process_state(env)
    sys.path[:0] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    code = 0
    try:
        if argv[1] == "-c":
            sys.argv = ["-c", *argv[3:]]
            exec(compile(argv[2], "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})  # noqa: S102 - the job's own command
        else:
            sys.argv = [argv[2], *argv[3:]]
            runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - report like the interpreter would, then leave
        import traceback

        traceback.print_exc()
        code = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    return code  # the caller leaves with os._exit: no interpreter teardown (torch's takes ~1 s)


def main() -> int:
    if sys.argv[1:2] == ["--template"]:
        return template_server(int(sys.argv[2]))
    if sys.argv[1:2] == ["--entry"]:
        return container_entry(sys.argv[2:])
    config = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    return run_jail(config)


def run_jail(config: dict) -> int:
    ready_r, ready_w = os.pipe()
    mapped_r, mapped_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(ready_r)
        os.close(mapped_w)
        try:
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
            _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
            os.write(ready_w, b"1")
            if os.read(mapped_r, 1) != b"1":
                os._exit(125)
            os.close(ready_w)
            os.close(mapped_r)
            init = os.fork()
            if init == 0:
                os._exit(init_process(config))
            _, status = os.waitpid(init, 0)
            os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))
        except BaseException as exc:  # noqa: BLE001
            os.write(2, f"jail: {exc}\n".encode())
            os._exit(125)
    os.close(ready_w)
    os.close(mapped_r)
    if os.read(ready_r, 1) != b"1":
        os.waitpid(child, 0)
        return 125
    try:
        write_id_maps(child, config)
    except OSError as exc:
        os.write(2, f"jail: writing the uid/gid maps failed: {exc}\n".encode())
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        return 125
    os.write(mapped_w, b"1")
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


# -- a container's entry point --------------------------------------------------------------------
def container_entry(args: list[str]) -> int:
    """`jail.py --entry -m MODULE ARGS` in a sandbox container: import torch once, fork the
    worker template, then run MODULE in this process and leave without interpreter teardown.
    The container is the jail; this only saves the second torch import and the teardown."""
    import numpy  # noqa: F401 - imported once, for the supervisor and every worker
    import torch  # noqa: F401

    env = dict(os.environ)
    env[WORKER_TEMPLATE_ENV] = str(start_worker_template())
    os._exit(run_module_in_process([sys.executable, *args], env))


# -- the worker template: forks the harness's workers, torch already imported ---------------------
WORKER_TEMPLATE_ENV = "HOTPATH_WORKER_TEMPLATE_FD"


def start_worker_template() -> int:
    """Fork, before any job file is read, a process that forks the harness's workers on request.

    The supervisor (graders/harness/workers.py) finds the socket in HOTPATH_WORKER_TEMPLATE_FD.
    Each worker is a fresh fork of a process that holds torch and nothing of the job: no
    seed, no expected output, no hidden file was ever in its memory.
    """
    import socket

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if os.fork() == 0:
        ours.close()
        keep = theirs.fileno()
        os.dup2(2, 1)  # its stdout is the job's result channel: never write there
        os.closerange(3, keep)
        os.closerange(keep + 1, 65536)
        try:
            worker_template_loop(theirs)
        finally:
            os._exit(0)
    theirs.close()
    fd = ours.detach()
    return fd


def worker_template_loop(sock) -> None:
    import select
    import socket

    children: set[int] = set()
    while True:
        readable, _, _ = select.select([sock], [], [], 0.05)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.waitstatus_to_exitcode(status)
                _send(sock, {"exited": pid, "status": code})
        if not readable:
            continue
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 3)
        except OSError:
            return
        if not data:
            return  # the supervisor is gone
        request = json.loads(data)
        pid = os.fork()
        if pid == 0:
            sock.close()
            os._exit(_worker_child(request, fds))
        for fd in fds:
            os.close(fd)
        children.add(pid)
        _send(sock, {"spawned": pid})


def _worker_child(request: dict, fds: list[int]) -> int:
    """What subprocess.Popen(user=, group=, extra_groups=[], start_new_session=True, cwd=,
    preexec_fn=workers._jail_worker) does for the exec'd worker, then the worker module."""
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(fds[1], 1)
        os.dup2(fds[2], 2)
        channel = fds[0]
        # nothing of the template's but the worker's own channel and stdio
        os.closerange(3, channel)
        os.closerange(channel + 1, 65536)
        with open("/proc/self/oom_score_adj", "w") as fh:  # before setuid: then /proc/self is root's
            fh.write("1000")
        if request.get("uid") is not None:
            os.setgroups([])
            os.setgid(request["gid"])
            os.setuid(request["uid"])
            libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # as after an exec: its own /proc/self is its own
        os.chdir(request["cwd"])
        _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        header = _CapHeader(0x20080522, 0)
        data = (_CapData * 2)(_CapData(0, 0, 0), _CapData(0, 0, 0))
        _check(libc.capset(ctypes.byref(header), data), "capset")
        argv = [request["argv"][0], "-m", request["argv"][1], *[a.replace("{fd}", str(fds[0])) for a in request["argv"][2:]]]
        return run_module_in_process(argv, request["env"])
    except BaseException as exc:  # noqa: BLE001
        try:
            os.write(2, f"worker template: {exc}\n".encode())
        except OSError:
            pass
        return 126


# -- the template: an interpreter with torch imported that forks one jail per job ------------------
def template_server(fd: int) -> int:
    """Serve jobs over a unix socket: each request is a JSON config plus the job's stdout and
    stderr as passed descriptors; reply {"pid": P}, later {"pid": P, "status": S}.

    It imports torch and numpy once (no torch op runs here, so no thread pool exists to be
    broken by fork) and nothing of the harness, which comes from each job's bundle. One job
    at a time; the process backend holds a lock around it.
    """
    import socket

    import numpy  # noqa: F401 - imported for the jobs' sake
    import torch  # noqa: F401

    sock = socket.socket(fileno=fd)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    _send(sock, {"ready": True})
    while True:
        try:
            data, fds, _, _ = socket.recv_fds(sock, 1 << 20, 2)
        except OSError:
            return 0
        if not data:
            return 0
        config = json.loads(data)
        pid = os.fork()
        if pid == 0:
            sock.close()
            os._exit(_template_child(config, fds))
        for passed in fds:
            os.close(passed)
        _send(sock, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
        _send(sock, {"pid": pid, "status": code})


def _template_child(config: dict, fds: list[int]) -> int:
    try:
        os.setpgid(0, 0)
        for path in config.get("cgroup_procs", []):
            with open(path, "w") as fh:
                fh.write(str(os.getpid()))
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        for fd in (devnull, *fds):
            os.close(fd)
        config = {**config, "in_process": True}
        return run_jail(config)
    except BaseException as exc:  # noqa: BLE001
        try:
            os.write(2, f"jail: template child: {exc}\n".encode())
        except OSError:
            pass
        return 125


def _send(sock, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


if __name__ == "__main__":
    sys.exit(main())
