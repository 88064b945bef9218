"""The one ranking rule for entries: higher score, then higher speedup (geometric mean across
shapes; none counts as 0), then the earlier submission. Boards in the database order by
BOARD_ORDER; Python code (contest boards) sorts with entry_sort_key. Both say the same thing."""
from __future__ import annotations

import math
from datetime import datetime

BOARD_ORDER = ("-score", "-rank_speedup", "submitted_at", "pk")
GLOBAL_ORDER = ("-total_score", "-challenges", "last_improved_at", "pk")
# Flags (graders' result `flags`) that a board marks on an entry.
MARKED_FLAGS = ("noisy", "timing_mismatch")


def rank_speedup(speedup: float | None) -> float:
    return speedup if speedup is not None else 0.0


def entry_sort_key(*, score: float, speedup: float | None, submitted_at: datetime) -> tuple:
    """Ascending sort key: the best entry first."""
    return (-score, -rank_speedup(speedup), submitted_at)


def finite_or_none(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def measured_speedup(metrics: dict | None) -> tuple[float | None, tuple[float, float] | None]:
    """(speedup, (ci_low, ci_high)) from a result's metrics; None for what is missing or malformed."""
    metrics = metrics if isinstance(metrics, dict) else {}
    speedup = finite_or_none(metrics.get("speedup"))
    ci = metrics.get("speedup_ci")
    if isinstance(ci, (list, tuple)) and len(ci) == 2:
        low, high = finite_or_none(ci[0]), finite_or_none(ci[1])
        if low is not None and high is not None and low <= high:
            return speedup, (low, high)
    return speedup, None


def geometric_mean(values: list[float]) -> float | None:
    positive = [v for v in values if v is not None and v > 0]
    if not positive:
        return None
    return math.exp(sum(math.log(v) for v in positive) / len(positive))
