"""Fork servers with torch imported once (docs/sandbox.md, "Templates"): the code shared by
the process backend's jail (sandbox/jail.py) and the docker backend's container entry.

- `run_module_in_process`: `python -m MODULE` / `python -c CODE` inside this interpreter;
- `start_worker_template`: a process forked before any job file is read that forks the
  harness's workers on request (graders/harness/worker_process.py is its client);
- `container_entry`: `jail.py --entry` in a sandbox container.

Standard library only; privileges come from sandbox/privileges.py and sandbox/seccomp.py, the
one source also used by the harness. The pipeline ships these files into each job's bundle
(`sandbox.ship_runtime`), which is where the docker backend runs them from.
"""
from __future__ import annotations

import json
import os
import signal
import sys

from sandbox import privileges, seccomp

CONTAINER_CAPS = ["chown", "setuid", "setgid", "kill"]  # what the supervisor keeps (then only kill)
PROC_OPTIONS = b"hidepid=2,gid=0"  # /proc for the container and the process jail (sandbox/jail.py) alike
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 2, 4, 8, 32


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
    # what the template's interpreter found on the host and the job cannot reach (.pth entries
    # into a checkout, the template's own directory) says nothing the job needs: drop it
    sys.path[:] = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p] + [p for p in sys.path if p and os.path.exists(p)]
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


# -- a container's entry point --------------------------------------------------------------------
def container_entry(args: list[str]) -> int:
    """`jail.py --entry -m MODULE ARGS` in a sandbox container: harden the container, import
    torch once, fork the worker template, then run MODULE in this process and leave without
    interpreter teardown. `jail.py --entry --exec ARGV...` hardens, then execs ARGV."""
    harden_container()
    if args[:1] == ["--exec"]:
        os.execvp(args[1], args[1:])
    import numpy  # noqa: F401 - imported once, for the supervisor and every worker
    import torch  # noqa: F401

    env = dict(os.environ)
    env[WORKER_TEMPLATE_ENV] = str(start_worker_template())
    os._exit(run_module_in_process([sys.executable, *args], env))


def harden_container() -> None:
    """What the process jail does and a container lacks: /proc with hidepid (so the candidate's
    uid sees none of the supervisor's or the baseline's processes), the capabilities bounded to
    the supervisor's four (CAP_SYS_ADMIN, granted for the remount alone, is gone for good), and
    the seccomp filter over the whole container. As a non-root container user there is nothing
    to drop and no remount to make: the filter alone."""
    if privileges.capabilities() & (1 << privileges.CAPS["sys_admin"]):
        libc = privileges.libc()
        if libc.mount(b"proc", b"/proc", b"proc", MS_REMOUNT | MS_NOSUID | MS_NODEV | MS_NOEXEC, PROC_OPTIONS) != 0:
            os.write(2, b"jail: warning: /proc could not be remounted with hidepid; other processes stay visible\n")
    if os.geteuid() == 0:
        privileges.bound_capabilities(CONTAINER_CAPS)
    privileges.set_no_new_privs()
    seccomp.install(seccomp.WORKER)


# -- the worker template: forks the harness's workers, torch already imported ---------------------
WORKER_TEMPLATE_ENV = "HOTPATH_WORKER_TEMPLATE_FD"


def start_worker_template() -> int:
    """Fork, before any job file is read, a process that forks the harness's workers on request.

    The supervisor (graders/harness/worker_process.py) finds the socket in HOTPATH_WORKER_TEMPLATE_FD.
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

    children: set[int] = set()
    while True:
        readable, _, _ = select.select([sock], [], [], 0.05)
        for pid in list(children):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                children.discard(pid)
                code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.waitstatus_to_exitcode(status)
                send(sock, {"exited": pid, "status": code})
        if not readable:
            continue
        received = receive(sock, max_fds=3)
        if received is None:
            return  # the supervisor is gone
        pid = fork_child(sock, _worker_child, *received)
        children.add(pid)
        send(sock, {"spawned": pid})


def _worker_child(request: dict, fds: list[int]) -> int:
    """What subprocess.Popen(user=, group=, extra_groups=[], start_new_session=True, cwd=,
    preexec_fn=privileges.jail_worker) does for the exec'd worker, then the worker module."""
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
        privileges.jail_worker(request.get("uid"), request.get("gid"), filtered=request.get("seccomp", True))
        os.chdir(request["cwd"])
        argv = [request["argv"][0], "-m", request["argv"][1], *[a.replace("{fd}", str(fds[0])) for a in request["argv"][2:]]]
        return run_module_in_process(argv, request["env"])
    except BaseException as exc:  # noqa: BLE001
        try:
            os.write(2, f"worker template: {exc}\n".encode())
        except OSError:
            pass
        return 126


def send(sock, message: dict) -> None:
    sock.sendall(json.dumps(message).encode() + b"\n")


# -- what both fork servers (this worker template, the jail's job template) do per request ------
def receive(sock, *, max_fds: int) -> tuple[dict, list[int]] | None:
    """The next JSON request and the descriptors passed with it; None once the peer is gone."""
    import socket

    try:
        data, fds, _, _ = socket.recv_fds(sock, 1 << 20, max_fds)
    except OSError:
        return None
    if not data:
        return None
    return json.loads(data), fds


def fork_child(sock, child, request: dict, fds: list[int]) -> int:
    """Fork a process that drops the server's socket, runs `child(request, fds)` and leaves
    with its return value (no interpreter teardown); the server closes the passed descriptors
    and gets the pid."""
    pid = os.fork()
    if pid == 0:
        sock.close()
        os._exit(child(request, fds))
    for fd in fds:
        os.close(fd)
    return pid
