# expect: accepted
# expect-cuda: wrong_answer
"""Warm-up and many repeats, but no synchronisation: on a GPU it times kernel launches,
not kernels. On the CPU, where every call is synchronous, it is a correct benchmark."""
import time


def benchmark(fn):
    for _ in range(3):
        fn()
    times = []
    for _ in range(50):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2]
