# expect: runtime_error
"""Returns a formatted string: not a number of seconds."""
from torch.utils.benchmark import Timer


def benchmark(fn):
    return str(Timer(stmt="fn()", globals={"fn": fn}).blocked_autorange(min_run_time=0.2))
