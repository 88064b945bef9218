"""Starter: times one call with a stopwatch. It returns a number; is it the right one?"""
import time


def benchmark(fn):
    """Median seconds per call of `fn` (a function of no arguments)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start
