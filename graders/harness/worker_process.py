"""The supervisor's handle on one worker process: starting it, talking to it, killing it.

Supervisor side (trusted). The process it starts runs `graders.harness.candidate.worker`.

Isolation between the two sides (the sandbox provides the rest, docs/sandbox.md): when the
supervisor starts with the power to change uids (uid 0 in the sandbox's user namespace or
container, capabilities bounded to chown, setuid, setgid and kill), the candidate's worker
runs as `nobody` (65534) with no capabilities and no_new_privs, so it can neither read the
supervisor's files (bundle/private is 0700) nor its memory, nor signal it. The supervisor
gives up every capability but kill (it must still be able to kill a worker of another uid)
no later than the moment the candidate's code is loaded: see `drop_privileges`.
"""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from graders import verdicts
from graders.harness import replies
from graders.harness.outcome import Outcome
from graders.harness.shared.channel import Channel, ChannelClosed, ChannelError
from sandbox import privileges

LOG_KEEP_BYTES = 64 * 1024
NOBODY = privileges.NOBODY
TRUSTED_ROLES = ("baseline", "trusted")  # workers that never load candidate code
WORKER_MODULE = "graders.harness.candidate.worker"  # what every worker process runs


class _LogCollector:
    """Keeps the first 64 KiB of a worker's stdout+stderr and counts everything."""

    def __init__(self, cap_bytes: int) -> None:
        self.cap_bytes = cap_bytes
        self.kept = bytearray()
        self.total = 0
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def drain(self, stream) -> None:
        thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        thread.start()
        self.threads.append(thread)

    def _read(self, stream) -> None:
        while chunk := stream.read1(65536):
            with self.lock:
                self.total += len(chunk)
                room = LOG_KEEP_BYTES - len(self.kept)
                if room > 0:
                    self.kept += chunk[:room]
        stream.close()

    @property
    def over_cap(self) -> bool:
        return self.total > self.cap_bytes

    def text(self) -> str:
        self.join(0.5)
        with self.lock:
            text = self.kept.decode("utf-8", "replace")
            if self.total > len(self.kept):
                text += f"\n[... {self.total - len(self.kept)} more bytes of output not kept]"
        return text

    def join(self, timeout: float) -> None:
        for thread in self.threads:
            thread.join(timeout)


class WorkerProcess:
    def __init__(self, *, role: str, code_dir: Path, lib_dir: Path, scratch: Path, env: dict[str, str], output_cap: int,
                 launch_prefix: list[str] | None = None) -> None:
        """`launch_prefix` (e.g. an `ncu ...` command line) runs the worker under another program:
        such a worker is always exec'd (never forked from the template), with the same isolation."""
        self.role = role
        parent_sock, child_sock = socket.socketpair()
        self.log = _LogCollector(output_cap)
        drop_uid = can_drop_uid(code_dir, lib_dir)
        self.uid = NOBODY if drop_uid else os.geteuid()
        scratch.mkdir(parents=True, exist_ok=True)
        if drop_uid:
            os.chmod(scratch, 0o711)  # the supervisor (no CAP_DAC_OVERRIDE) must still enter it
            os.chown(scratch, NOBODY, NOBODY)
        worker_env = {**env, "PATH": privileges.SAFE_PATH, "PYTHONPATH": str(lib_dir), "HOME": str(scratch), "TMPDIR": str(scratch),
                      "PYTHONDONTWRITEBYTECODE": "1"}
        filtered = True  # the seccomp filter of sandbox/seccomp.py: every worker (none needs what it denies)
        forked = None if launch_prefix else _forked_worker(child_sock, code_dir=code_dir, scratch=scratch, env=worker_env, drop_uid=drop_uid,
                                                           filtered=filtered)
        try:
            self.proc = forked or subprocess.Popen(
                [*(launch_prefix or []), sys.executable, "-m", WORKER_MODULE, "--fd", str(child_sock.fileno()), "--code", str(code_dir)],
                pass_fds=(child_sock.fileno(),),
                cwd=scratch,
                env=worker_env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                user=NOBODY if drop_uid else None,
                group=NOBODY if drop_uid else None,
                extra_groups=[] if drop_uid else None,
                preexec_fn=jail_worker,
            )
        except BaseException:
            parent_sock.close()
            raise
        finally:
            child_sock.close()
        self.channel = Channel(parent_sock)
        self.log.drain(self.proc.stdout)
        self.log.drain(self.proc.stderr)

    def request(self, header: dict, tensors=(), *, timeout: float, max_bytes: int = 1 << 20) -> tuple[dict, list]:
        """Send one op and wait for its answer, turning every failure into an Outcome."""
        if self.role != "baseline" and header.get("op") == "load":
            drop_privileges()  # every worker exists by now; candidate code is about to run
        try:
            self.channel.send(header, list(tensors))
            return self._answer(timeout=timeout, max_bytes=max_bytes)
        except (BrokenPipeError, ConnectionResetError):
            raise self.died() from None

    def _answer(self, *, timeout: float, max_bytes: int) -> tuple[dict, list]:
        deadline = time.monotonic() + timeout
        while True:
            if self.log.over_cap:
                self.kill()
                raise Outcome(verdicts.OUTPUT_LIMIT_EXCEEDED, f"the {self.role} printed more than {self.log.cap_bytes // 1024} KiB")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise Outcome(verdicts.TIME_LIMIT_EXCEEDED, f"a call did not finish within {timeout:.1f} s (phase: {self.role})")
            readable, _, _ = select.select([self.channel.sock], [], [], min(remaining, 0.25))
            if not readable:
                continue
            return self.receive(max_bytes=max_bytes, timeout=max(remaining, 1.0))

    def receive(self, *, max_bytes: int, timeout: float) -> tuple[dict, list]:
        """One message, its every field checked (graders/harness/replies.py): the only way a
        reply reaches supervisor code. Whatever is wrong with it is an Outcome, never a crash."""
        try:
            header, tensors = self.channel.recv(max_tensor_bytes=max_bytes, timeout=timeout)
            return replies.checked(header, tensors), tensors
        except TimeoutError:
            self.kill()
            raise Outcome(verdicts.TIME_LIMIT_EXCEEDED, f"the {self.role} stopped half-way through an answer") from None
        except ChannelClosed:
            raise self.died() from None
        except (ChannelError, replies.ReplyError) as exc:
            self.kill()
            if self.role in TRUSTED_ROLES:  # no candidate code runs there: our fault, not theirs
                raise RuntimeError(f"the {self.role} worker broke the harness protocol: {exc}") from None
            raise Outcome(verdicts.REJECTED, f"the {self.role} broke the harness protocol: {exc}") from None

    def died(self) -> Outcome:
        """The verdict for a worker found gone (its channel closed): how it ended, with its output
        over the cap taking precedence. Public: a step that reads the channel itself uses it too."""
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        self.log.join(1)
        if self.log.over_cap:
            return Outcome(verdicts.OUTPUT_LIMIT_EXCEEDED, f"the {self.role} printed more than {self.log.cap_bytes // 1024} KiB")
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        return Outcome(verdicts.RUNTIME_ERROR, f"the {self.role} process {how} before every result was in", exit_code=code)

    def close(self, *, grace_s: float = 2.0) -> None:
        """Ask the worker to exit, give it `grace_s` (a program it runs under may need longer
        to finish: ncu writes its report after the worker exits), then kill what is left."""
        try:
            self.channel.send({"op": "exit"})
        except OSError:
            pass
        try:
            self.proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self.channel.close()


def can_drop_uid(*paths: Path) -> bool:
    """Run the worker as `nobody` when we are root and `nobody` can reach the interpreter and code."""
    if os.geteuid() != 0 or os.environ.get("HOTPATH_WORKER_KEEP_UID") == "1":
        return False
    interpreter = Path(os.path.realpath(sys.executable))
    return all(_world_reachable(p) for p in (interpreter, Path(torch_dir()), *paths))


def torch_dir() -> str:
    import torch

    return os.path.dirname(torch.__file__)


def _world_reachable(path: Path) -> bool:
    """Every parent directory world-searchable; the path itself world-readable."""
    path = Path(os.path.realpath(path))
    for parent in path.parents:
        if not os.stat(parent).st_mode & 0o001:
            return False
    return bool(os.stat(path).st_mode & 0o004)


# -- workers forked from the sandbox's template -------------------------------------------------------
TEMPLATE_ENV = "HOTPATH_WORKER_TEMPLATE_FD"


class _TemplateClient:
    """The supervisor's end of the worker template (sandbox/jail.py): a process forked before
    any job file was read, with torch imported, that forks each worker on request. It saves
    each worker the interpreter start and the torch import (1-3 s on a 2-core host)."""

    def __init__(self, fd: int) -> None:
        self.sock = socket.socket(fileno=fd)
        self.lock = threading.Lock()
        self.exited: dict[int, int] = {}
        self.dead = False

    def spawn(self, request: dict, fds: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.sock, [json.dumps(request).encode()], fds)
            while True:
                message = self._recv(timeout=30)
                if "spawned" in message:
                    return message["spawned"]
                if "error" in message:
                    raise OSError(message["error"])

    def drain(self) -> None:
        with self.lock:
            while not self.dead:
                try:
                    self._recv(timeout=0)
                except (BlockingIOError, TimeoutError, socket.timeout):
                    return
                except (OSError, ValueError):
                    self.dead = True

    def _recv(self, *, timeout: float) -> dict:
        self.sock.settimeout(timeout)
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the worker template exited")
        message = json.loads(data)
        if "exited" in message:
            self.exited[message["exited"]] = message["status"]
        return message


_TEMPLATE: _TemplateClient | None = None


def _template() -> _TemplateClient | None:
    global _TEMPLATE
    fd = os.environ.get(TEMPLATE_ENV)
    if _TEMPLATE is None and fd and fd.isdigit():
        try:
            _TEMPLATE = _TemplateClient(int(fd))
        except OSError:
            return None
    return _TEMPLATE


class _ForkedProcess:
    """Popen's face (pid, poll, wait, returncode, stdout, stderr) for a template-forked worker."""

    def __init__(self, client: _TemplateClient, pid: int, stdout, stderr) -> None:
        self.client = client
        self.pid = pid
        self.stdout = stdout
        self.stderr = stderr
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.client.drain()
            self.returncode = self.client.exited.get(self.pid)
            if self.returncode is None and self.client.dead and not _alive(self.pid):
                self.returncode = -signal.SIGKILL  # its parent, the template, is gone: no status will come
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
            time.sleep(0.005)
        return self.returncode


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _forked_worker(child_sock: socket.socket, *, code_dir: Path, scratch: Path, env: dict[str, str], drop_uid: bool,
                   filtered: bool) -> _ForkedProcess | None:
    """A worker forked by the sandbox's template, or None (then the caller execs one)."""
    client = _template()
    if client is None or client.dead:
        return None
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    request = {
        "argv": [sys.executable, WORKER_MODULE, "--fd", "{fd}", "--code", str(code_dir)],
        "cwd": os.path.abspath(scratch),
        "env": env,
        "uid": NOBODY if drop_uid else None,
        "gid": NOBODY if drop_uid else None,
        "seccomp": filtered,
    }
    try:
        pid = client.spawn(request, [child_sock.fileno(), out_w, err_w])
    except (OSError, ValueError):
        os.close(out_r)
        os.close(err_r)
        return None
    finally:
        os.close(out_w)
        os.close(err_w)
    return _ForkedProcess(client, pid, os.fdopen(out_r, "rb"), os.fdopen(err_r, "rb"))


# -- privileges: the one implementation is sandbox/privileges.py (shipped in the bundle) ----------
CAP_KILL = privileges.CAP_KILL
capabilities = privileges.capabilities


def drop_privileges() -> None:
    """The supervisor keeps only CAP_KILL (to kill a worker of another uid); idempotent.

    Call it once every worker is started and before any candidate code runs (WorkerProcess
    does it before the candidate's `load`). Afterwards no new worker can change uid.
    """
    privileges.drop_supervisor_privileges()


def jail_worker() -> None:
    """preexec_fn: runs in the child between fork and exec, after Popen's uid switch (if any)."""
    privileges.jail_worker(None, None, filtered=True)
