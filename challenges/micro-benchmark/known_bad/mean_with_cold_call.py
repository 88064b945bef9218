# expect: wrong_answer
"""Averages ten calls, the first (cold) one included: one-off costs pollute the mean."""
import time


def benchmark(fn):
    start = time.perf_counter()
    for _ in range(10):
        fn()
    return (time.perf_counter() - start) / 10
