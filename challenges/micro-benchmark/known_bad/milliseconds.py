# expect: wrong_answer
"""A sound method that reports milliseconds where seconds are asked for."""
from torch.utils.benchmark import Timer


def benchmark(fn):
    for _ in range(3):
        fn()
    return Timer(stmt="fn()", globals={"fn": fn}).blocked_autorange(min_run_time=0.2).median * 1e3  # ms, not s
