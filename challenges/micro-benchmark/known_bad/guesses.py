# expect: wrong_answer
"""Returns a plausible constant instead of measuring."""


def benchmark(fn):
    return 1e-4
