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

/proc is mounted with hidepid=2: a process sees only the processes of its own uid (the
candidate, uid 65534, sees neither the supervisor nor the baseline nor any template), except
for members of gid 0 (the supervisor, which reads its workers' schedstat: graders/harness/clocks.py).
The command then runs under the seccomp filter of sandbox/seccomp.py (no nested namespaces,
mounts, ptrace, keyrings, bpf...), as Docker's default profile does for a container.

Privileges and the fork servers live in sandbox/privileges.py, sandbox/seccomp.py and
sandbox/forkserver.py; run as a script (`python -I -S jail.py`), this file imports them from
its own directory, before the jail hides the host's files.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import sys

if not __package__:  # run as a script: the package around this file, imported now, then forgotten
    _PARENT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, _PARENT)
    try:
        from sandbox import forkserver, privileges, seccomp
    finally:
        sys.path.remove(_PARENT)
else:
    from sandbox import forkserver, privileges, seccomp

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
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
PROC_OPTIONS = forkserver.PROC_OPTIONS.decode()  # one value for both backends; see the module's docstring
# statvfs flags that a bind remount inside a user namespace must keep (they are locked)
ST_TO_MS = {1: MS_RDONLY, 2: MS_NOSUID, 4: MS_NODEV, 8: MS_NOEXEC, 1024: MS_NOATIME, 2048: MS_NODIRATIME, 4096: MS_RELATIME}

libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]


class JailError(Exception):
    pass


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise JailError(f"{what}: {os.strerror(err)}")


def shell_status(status: int) -> int:
    """A wait status as a shell reports it: the exit code, or 128 + the signal's number."""
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def _b(value: str | None) -> bytes | None:
    return None if value is None else os.fsencode(value)


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(libc.mount(_b(source), _b(target), _b(fstype), flags, _b(data)), f"mount {source or fstype} on {target}")


# -- the filesystem view ---------------------------------------------------------------------
def _mkdirs(path: str) -> None:
    os.makedirs(path, mode=0o755, exist_ok=True)


def symlink(root: str, name: str, target: str) -> None:
    _mkdirs(os.path.dirname(root + name))
    os.symlink(target, root + name)


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
        symlink(root, name, target)
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
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, PROC_OPTIONS)


def pivot(root: str) -> None:
    os.chdir(root)
    number = SYS_PIVOT_ROOT.get(os.uname().machine)
    if number is None:
        raise JailError(f"pivot_root: unknown syscall number on {os.uname().machine}")
    _check(libc.syscall(number, b".", b"."), "pivot_root")
    _check(libc.umount2(b".", MNT_DETACH), "detach the host root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


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
    privileges.die_with_parent(signal.SIGKILL)
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
            return shell_status(status)


def exec_command(config: dict) -> None:
    os.chdir(config["cwd"])
    apply_rlimits(config.get("rlimits", {}))
    if os.geteuid() == 0 and config.get("keep_caps") is not None:
        privileges.bound_capabilities(config["keep_caps"])
    privileges.set_no_new_privs()
    seccomp.install(seccomp.WORKER)
    argv = config["argv"]
    if config.get("in_process"):
        env = dict(config["env"])
        if config.get("worker_template", True):
            env[forkserver.WORKER_TEMPLATE_ENV] = str(forkserver.start_worker_template())
        os._exit(forkserver.run_module_in_process(argv, env))
    os.execvpe(argv[0], argv, config["env"])


def main() -> int:
    if sys.argv[1:2] == ["--template"]:
        return template_server(int(sys.argv[2]))
    if sys.argv[1:2] == ["--entry"]:
        return forkserver.container_entry(sys.argv[2:])
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
            privileges.die_with_parent(signal.SIGKILL)
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
            os._exit(shell_status(status))
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
    return shell_status(status)


# -- the template: an interpreter with torch imported that forks one jail per job ------------------
def template_server(fd: int) -> int:
    """Serve jobs over a unix socket: each request is a JSON config plus the job's stdout and
    stderr as passed descriptors; reply {"pid": P}, later {"pid": P, "status": S}.

    A second line on stdin may hold a view (see `enter_template_view`): the template then
    restarts itself inside it first, so that what it imports carries no host path.

    It imports torch and numpy once (no torch op runs here, so no thread pool exists to be
    broken by fork) and nothing of the harness, which comes from each job's bundle. One job
    at a time; the process backend holds a lock around it.
    """
    import socket

    view = json.loads(sys.stdin.readline() or "null")
    if view is not None:
        enter_template_view(view)
        restart_in_view(view, fd)
    import numpy  # noqa: F401 - imported for the jobs' sake
    import torch  # noqa: F401

    sock = socket.socket(fileno=fd)
    privileges.die_with_parent(signal.SIGKILL)
    forkserver.send(sock, {"ready": True})
    while True:
        received = forkserver.receive(sock, max_fds=2)
        if received is None:
            return 0
        pid = forkserver.fork_child(sock, _template_child, *received)
        forkserver.send(sock, {"pid": pid})
        _, status = os.waitpid(pid, 0)
        forkserver.send(sock, {"pid": pid, "status": shell_status(status)})


def enter_template_view(view: dict) -> None:
    """A mount namespace of the template's own (root only): the host's root, entry by entry,
    plus the view's binds and symlinks (the venv at its neutral path, see
    sandbox/python_view.py). The host sees none of it; each job's jail is built from it."""
    _check(libc.unshare(CLONE_NEWNS), "unshare the template's mount namespace")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    root, host_entries = view["root"], sorted(os.listdir("/"))
    clashes = {p.split("/")[1] for p in [*view["symlinks"], *(e["dst"] for e in view["binds"])]} & set(host_entries)
    if clashes:
        raise JailError(f"the host's own /{min(clashes)} is where the view puts its files")
    mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for name in host_entries:
        path = "/" + name
        if os.path.islink(path):
            os.symlink(os.readlink(path), root + path)
        elif os.path.isdir(path) or os.path.isfile(path):
            bind(root, path, path, writable=True, recursive=True)
    for name, target in view["symlinks"].items():
        symlink(root, name, target)
    for entry in view["binds"]:
        bind(root, entry["src"], entry["dst"])
    pivot(root)


def restart_in_view(view: dict, fd: int) -> None:
    """exec the view's interpreter on the view's jail.py (its path on stdin, as at the start)."""
    read_end, write_end = os.pipe()
    os.write(write_end, (view["jail"] + "\nnull\n").encode())
    os.close(write_end)
    os.dup2(read_end, 0)
    os.close(read_end)
    os.execv(view["python"], [view["python"], "-I", "-c", view["boot"], str(fd)])


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


if __name__ == "__main__":
    sys.exit(main())
