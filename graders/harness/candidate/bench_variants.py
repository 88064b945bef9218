"""Worker side of the `benchmark` grader: the variant library, and the candidate's runner.

Both benchmark workers build the same workloads from this module (it is in the workers'
library). The trusted measuring code is NOT here: it lives in `bench_measure.py`, which only
the trusted worker's library holds (unreadable to the candidate's uid where the sandbox gives
distinct uids; see graders/harness/libraries.py). Reusing the grader's own measurement is not
an answer (ANTI_CHEAT.md, "reusing the grader").
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable

import torch

# Modules whose presence in the candidate's process means it reached trusted code.
TRUSTED_MODULES = ("graders.harness.bench_measure", "bench_measure", "graders.harness.steps", "graders.harness.steps.benchmark",
                   "graders.harness.supervisor", "graders.harness.compare", "graders.harness.stats")


def _matmul(size: int, device: torch.device) -> Callable[[], object]:
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    return lambda: a @ b  # asynchronous on a GPU: a timer that does not synchronise reads the launch


def _elementwise(size: int, device: torch.device) -> Callable[[], object]:
    x = torch.randn(size, device=device)
    out = torch.empty_like(x)
    return lambda: torch.mul(x, 1.0001, out=out)  # microseconds: per-call timer overhead matters


def _lazy_init(size: int, device: torch.device) -> Callable[[], object]:
    """The first call pays a one-off cost (a kernel compiled, a cache filled: 50 ms here)."""
    a = torch.randn(size, size, device=device)
    state = {"ready": False}

    def fn():
        if not state["ready"]:
            time.sleep(0.05)
            state["ready"] = True
        return a @ a

    return fn


def _allocating(size: int, device: torch.device) -> Callable[[], object]:
    """Allocates its output each call: the caching allocator makes repeats cheaper than the first."""
    x = torch.randn(size, device=device)
    return lambda: torch.cumsum(x, 0)


VARIANTS: dict[str, Callable[[int, torch.device], Callable[[], object]]] = {
    "matmul": _matmul,
    "elementwise": _elementwise,
    "lazy_init": _lazy_init,
    "allocating": _allocating,
}


def build(variant: str, size: int, device: str) -> Callable[[], object]:
    torch.manual_seed(size)
    return VARIANTS[variant](int(size), torch.device(device))


def run_variant(*, variant: str, size: int, device: str, entry_path: str, entry_callable: str, **_ignored):
    """The candidate worker's entry point: build the variant, hand it to the candidate's
    `benchmark`; returns [seconds, 1.0 if trusted grader code was loaded meanwhile else 0.0]."""
    fn = build(variant, size, device)
    seconds = getattr(_module_at(entry_path), entry_callable)(fn)
    if isinstance(seconds, torch.Tensor):
        seconds = seconds.item()
    seconds = float(seconds)  # a non-number raises here: a runtime error, not a wrong figure
    used = any(name in sys.modules for name in TRUSTED_MODULES)
    return torch.tensor([seconds, 1.0 if used else 0.0], dtype=torch.float64)


def _module_at(path: str):
    """The candidate's entry module, already loaded by the worker, found by its file."""
    wanted = Path(path).resolve()
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve() == wanted:
            return module
    raise RuntimeError(f"{Path(path).name} is not loaded")
