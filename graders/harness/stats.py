"""Summary statistics for timings: median, spread and a distribution-free CI of the median."""
from __future__ import annotations

import math


def quantile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)


def median_ci(sorted_values: list[float], z: float = 1.96) -> tuple[float, float]:
    """95% CI of the median from order statistics (binomial approximation); no normality assumed."""
    n = len(sorted_values)
    if n == 0:
        return 0.0, 0.0
    half = z * math.sqrt(n) / 2
    lo = max(0, math.floor(n / 2 - half))
    hi = min(n - 1, math.ceil(n / 2 + half) - 1)
    return sorted_values[lo], sorted_values[hi]


def summarize_ms(samples_ns: list[float]) -> dict:
    values = sorted(v / 1e6 for v in samples_ns)
    med = quantile(values, 0.5)
    lo, hi = median_ci(values)
    return {
        "median": med,
        "p10": quantile(values, 0.1),
        "p90": quantile(values, 0.9),
        "iqr": quantile(values, 0.75) - quantile(values, 0.25),
        "ci_low": lo,
        "ci_high": hi,
        "ci_rel": (hi - lo) / 2 / med if med > 0 else None,
        "n": len(values),
    }


def geometric_mean(values: list[float]) -> float | None:
    if not values or any(v <= 0 for v in values):
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def coefficient_of_variation(values: list[float]) -> float | None:
    if len(values) < 2:
        return None
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return math.sqrt(var) / mean if mean else None
