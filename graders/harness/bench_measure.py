"""Trusted side of the `benchmark` grader: the measurement the candidate's figures are judged by.

Only the trusted benchmark worker loads this file (by path, from its own library dir, which
the candidate's uid cannot read where the sandbox gives distinct uids: see
graders/harness/libraries.py). It is never in the candidate's library: a candidate that
returned this function's figure would be reusing the grader (ANTI_CHEAT.md).
"""
from __future__ import annotations

import time
from typing import Callable

import torch

from graders.harness.candidate.bench_variants import build

PER_CALL_FLOOR_S = 50e-6  # single calls at least this long are timed one by one
DEFAULT_MIN_RUN_S = 0.3


def median_per_call(fn: Callable[[], object], *, min_run_time: float) -> float:
    """Warm up, then the median of single-call times, each closed by a device synchronise
    where a GPU is present; calls under PER_CALL_FLOOR_S are timed in blocks instead
    (`blocked_autorange`), where the clock's own cost would otherwise show."""
    from torch.utils.benchmark import Timer

    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)
    for _ in range(3):
        fn()
    sync()
    start = time.perf_counter()
    fn()
    sync()
    if time.perf_counter() - start < PER_CALL_FLOOR_S:
        return Timer(stmt="fn()", globals={"fn": fn}).blocked_autorange(min_run_time=min_run_time).median
    times = []
    deadline = time.perf_counter() + min_run_time
    while len(times) < 10 or time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]


def measure_variant(*, variant: str, size: int, device: str, min_run_time: float = DEFAULT_MIN_RUN_S, **_ignored):
    """The trusted worker's entry point: the variant's trusted seconds per call."""
    seconds = median_per_call(build(variant, size, device), min_run_time=float(min_run_time))
    return torch.tensor([seconds, 0.0], dtype=torch.float64)
