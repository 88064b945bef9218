"""Reference: warm up, synchronise, and take a median that one slow call cannot move."""
import time

import torch
from torch.utils.benchmark import Timer

SHORT_S = 50e-6


def _sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def benchmark(fn):
    for _ in range(3):  # one-off costs: lazy initialisation, caches, the allocator's first blocks
        fn()
    _sync()
    start = time.perf_counter()
    fn()
    _sync()
    if time.perf_counter() - start < SHORT_S:
        # Too short to time alone: the clock and the sync would dominate. Time blocks of
        # calls (torch.utils.benchmark sizes them and synchronises) and take the median block.
        return Timer(stmt="fn()", globals={"fn": fn}).blocked_autorange(min_run_time=0.3).median
    times = []
    deadline = time.perf_counter() + 0.3
    while len(times) < 10 or time.perf_counter() < deadline:
        start = time.perf_counter()
        fn()
        _sync()  # a GPU call returns when it is queued; wait until it has run
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]
