"""One job per GPU (or MIG instance) at a time on this host.

A slot is an exclusive `flock` on /run/hotpath/gpu-<id>.lock (HOTPATH_GPU_LOCK_DIR), so it
holds across the processes of a Celery prefork pool and is released by the kernel when a
worker dies, however it dies. Both backends take the slot for the whole job.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path

DEFAULT_LOCK_DIR = "/run/hotpath" if os.geteuid() == 0 else f"/tmp/hotpath-{os.geteuid()}"


class GpuBusy(Exception):
    pass


def lock_dir() -> Path:
    path = Path(os.environ.get("HOTPATH_GPU_LOCK_DIR", DEFAULT_LOCK_DIR))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def gpu_slot(gpu: int | str | None, *, wait_s: float = 3600.0, poll_s: float = 0.2):
    """Hold GPU `gpu` exclusively for the block; None means no GPU (nothing to hold)."""
    if gpu is None:
        yield None
        return
    path = lock_dir() / f"gpu-{gpu}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise GpuBusy(f"GPU {gpu} stayed busy for {wait_s:.0f} s") from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield gpu
    finally:
        os.close(fd)  # closing releases the lock


def gpu_busy(gpu: int | str) -> bool:
    """True while some job holds the slot (for the worker's status page and tests)."""
    fd = os.open(lock_dir() / f"gpu-{gpu}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
