"""Runs inside the sandbox (never on the host): one measured trial of a problem's code, in a
forked child so that a crash, a hang or an allocation spike is measured and contained.
Standard library and torch only."""
from __future__ import annotations

import json
import os
import resource
import time
from pathlib import Path

import torch

PROBE_TIMEOUT_S = 5.0  # one trial; a slower one is too big anyway
TRIAL_MEMORY_MB = 1024  # what one trial may allocate beyond what the probe holds
CUDA_WORDS = ("cuda", "nvidia", "gpu", "triton")


def reason_of(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}".strip()


def trial(fn, *, timeout: float = PROBE_TIMEOUT_S, memory_mb: int = TRIAL_MEMORY_MB) -> dict:
    """fn() in a forked child whose new allocations are capped at `memory_mb` (RLIMIT_DATA): its
    JSON result, plus `peak_mb` (its peak RSS above the parent's). An allocation over the cap
    fails in the child, which reports the sizes as too big."""
    base_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            _cap_allocations(memory_mb)
            out = {"ok": True, **fn()}
        except BaseException as exc:  # noqa: BLE001 - everything is the problem's failure
            text = str(exc).lower()
            out = {"ok": False, "reason": reason_of(exc), "cuda": any(w in text for w in CUDA_WORDS),
                   "too_big": isinstance(exc, MemoryError) or "allocate" in text}
        os.write(write_end, json.dumps(out).encode())
        os._exit(0)
    os.close(write_end)
    return _collect(pid, read_end, timeout, base_kb=base_kb)


def _cap_allocations(memory_mb: int) -> None:
    data_kb = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines() if line.startswith("VmData:"))
    limit = (data_kb + memory_mb * 1024) * 1024
    resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.getrlimit(resource.RLIMIT_DATA)[1]))


def _collect(pid: int, read_end: int, timeout: float, *, base_kb: int) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.wait4(pid, 0)
            os.close(read_end)
            return {"ok": False, "reason": f"one trial ran longer than {timeout:g} s", "too_big": True}
        time.sleep(0.01)
    data = b""
    while chunk := os.read(read_end, 1 << 16):
        data += chunk
    os.close(read_end)
    if not data:
        return {"ok": False, "reason": f"the trial died (status {status})", "too_big": True}
    out = json.loads(data)
    out["peak_mb"] = round(max(0, usage.ru_maxrss - base_kb) / 1024, 1)
    return out


def fits(measured: dict, budget: dict) -> bool:
    return bool(measured.get("ok") and measured["seconds"] <= budget["seconds"] and measured["peak_mb"] <= budget["peak_mb"]
            and measured["input_mb"] <= budget["input_mb"])


def nbytes(value) -> int:
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, (list, tuple)):
        return sum(nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    return 0


def to_float64(value):
    if isinstance(value, torch.Tensor):
        return value.double() if value.is_floating_point() else value
    if isinstance(value, (list, tuple)):
        return type(value)(to_float64(v) for v in value)
    if isinstance(value, dict):
        return {k: to_float64(v) for k, v in value.items()}
    return value


def output_kind(out) -> str:
    parts = out if isinstance(out, (tuple, list)) else [out]
    kinds = {("float" if p.is_floating_point() else "integer") if isinstance(p, torch.Tensor) else type(p).__name__ for p in parts}
    return "+".join(sorted(kinds))


def rel_error(out, reference) -> float | None:
    """Relative L2 error of a float32 output against the float64 one (None where not comparable)."""
    flat = [torch.as_tensor(o).reshape(-1) for o in (out if isinstance(out, (tuple, list)) else [out])]
    want = [torch.as_tensor(o).reshape(-1) for o in (reference if isinstance(reference, (tuple, list)) else [reference])] if reference is not None else []
    if len(flat) != len(want) or not all(f.is_floating_point() and f.shape == w.shape for f, w in zip(flat, want)):
        return None
    got, exact = torch.cat([f.double() for f in flat]), torch.cat([w.double() for w in want])
    norm = float(torch.linalg.vector_norm(exact))
    return float(torch.linalg.vector_norm(got - exact)) / norm if norm > 0 else None


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    with torch.no_grad():
        out = fn()
    return time.perf_counter() - start, out
