"""Starting and talking to a worker process from the supervisor's side."""
from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from graders.harness.channel import Channel, ChannelClosed, ChannelError

LOG_KEEP_BYTES = 64 * 1024
NOBODY = 65534


class Outcome(Exception):
    """A verdict reached while talking to a worker (the worker died, hung, flooded output...)."""

    def __init__(self, verdict: str, message: str, **detail) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message
        self.detail = detail


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
    def __init__(self, *, role: str, code_dir: Path, lib_dir: Path, scratch: Path, env: dict[str, str], output_cap: int) -> None:
        self.role = role
        parent_sock, child_sock = socket.socketpair()
        self.log = _LogCollector(output_cap)
        drop_uid = can_drop_uid(code_dir, lib_dir)
        scratch.mkdir(parents=True, exist_ok=True)
        if drop_uid:
            os.chown(scratch, NOBODY, NOBODY)
        worker_env = {**env, "PYTHONPATH": str(lib_dir), "HOME": str(scratch), "TMPDIR": str(scratch), "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "graders.harness.worker", "--fd", str(child_sock.fileno()), "--code", str(code_dir)],
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
            preexec_fn=_raise_oom_score,
        )
        child_sock.close()
        self.channel = Channel(parent_sock)
        self.log.drain(self.proc.stdout)
        self.log.drain(self.proc.stderr)

    def request(self, header: dict, tensors=(), *, timeout: float, max_bytes: int = 1 << 20) -> tuple[dict, list]:
        """Send one op and wait for its answer, turning every failure into an Outcome."""
        try:
            self.channel.send(header, list(tensors))
            return self._answer(timeout=timeout, max_bytes=max_bytes)
        except (BrokenPipeError, ConnectionResetError):
            raise self._died() from None

    def _answer(self, *, timeout: float, max_bytes: int) -> tuple[dict, list]:
        deadline = time.monotonic() + timeout
        while True:
            if self.log.over_cap:
                self.kill()
                raise Outcome("output_limit_exceeded", f"the {self.role} printed more than {self.log.cap_bytes // 1024} KiB")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise Outcome("time_limit_exceeded", f"a call did not finish within {timeout:.1f} s")
            readable, _, _ = select.select([self.channel.sock], [], [], min(remaining, 0.25))
            if not readable:
                continue
            try:
                return self.channel.recv(max_tensor_bytes=max_bytes, timeout=max(remaining, 1.0))
            except TimeoutError:
                self.kill()
                raise Outcome("time_limit_exceeded", f"the {self.role} stopped half-way through an answer") from None
            except ChannelClosed:
                raise self._died() from None
            except ChannelError as exc:
                self.kill()
                raise Outcome("rejected", f"the {self.role} broke the harness protocol: {exc}") from None

    def _died(self) -> Outcome:
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.kill()
            code = self.proc.wait()
        self.log.join(1)
        if self.log.over_cap:
            return Outcome("output_limit_exceeded", f"the {self.role} printed more than {self.log.cap_bytes // 1024} KiB")
        how = f"was killed by signal {-code}" if code < 0 else f"exited with status {code}"
        return Outcome("runtime_error", f"the {self.role} process {how} before every result was in", exit_code=code)

    def close(self) -> None:
        try:
            self.channel.send({"op": "exit"})
        except OSError:
            pass
        try:
            self.proc.wait(timeout=2)
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


def _raise_oom_score() -> None:
    # Under memory pressure the kernel should kill the worker, never the supervisor.
    try:
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass
