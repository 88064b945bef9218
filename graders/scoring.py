"""Scoring formulas, registered by name. A challenge picks one with `scoring = "..."`."""
from __future__ import annotations

import math
from typing import Callable

from graders import verdicts

SCORERS: dict[str, Callable[..., float]] = {}
CORRECT_POINTS = 40.0
PERFORMANCE_POINTS = 60.0


def register_scorer(name: str):
    def register(fn: Callable[..., float]) -> Callable[..., float]:
        if name in SCORERS:
            raise ValueError(f"scorer {name!r} is already registered")
        if not callable(fn):
            raise ValueError(f"scorer {name!r} must be callable")
        SCORERS[name] = fn
        return fn

    return register


def score(*, formula: str, verdict: str, speedup: float | None, tiers: list[float]) -> float:
    try:
        scorer = SCORERS[formula]
    except KeyError:
        raise ValueError(f"unknown scoring formula {formula!r}; known: {', '.join(SCORERS)}") from None
    return round(scorer(verdict=verdict, speedup=speedup, tiers=tiers), 2)


@register_scorer("default")
def default_score(*, verdict: str, speedup: float | None, tiers: list[float]) -> float:
    """Incorrect -> 0. Correct -> 40 + 60 * clamp(log(s/s_min) / log(s_top/s_min), 0, 1)."""
    if verdict != verdicts.ACCEPTED:
        return 0.0
    if speedup is None or speedup <= 0 or not tiers:
        return CORRECT_POINTS
    s_min, s_top = tiers[0], tiers[-1]
    if s_top <= s_min:
        return CORRECT_POINTS + (PERFORMANCE_POINTS if speedup >= s_top else 0.0)
    fraction = math.log(speedup / s_min) / math.log(s_top / s_min)
    return CORRECT_POINTS + PERFORMANCE_POINTS * min(max(fraction, 0.0), 1.0)


def target_metric(targets: dict) -> str:
    """The figure a device table's tiers rank: `speedup`, unless the spec targets another
    metric a grader reports instead (the benchmark grader's `accuracy`)."""
    return "speedup" if "speedup" in targets or not targets else next(iter(targets))


def tier_reached(*, speedup: float | None, tiers: list[float]) -> int:
    """How many tiers a speedup clears (0 = none)."""
    if speedup is None:
        return 0
    return sum(1 for t in tiers if speedup >= t)
