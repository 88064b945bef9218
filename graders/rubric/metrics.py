"""Agreement measures between grader and human scores."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def pearson(a: Sequence[float], b: Sequence[float]) -> float:
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(x) < 2 or x.std() == 0 or y.std() == 0:
        return math.nan
    return float(np.corrcoef(x, y)[0, 1])


def quadratic_weighted_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa with quadratic weights over the integer categories min..max of both."""
    x, y = np.asarray(a, dtype=int), np.asarray(b, dtype=int)
    low, high = min(x.min(), y.min()), max(x.max(), y.max())
    size = high - low + 1
    if size == 1:
        return 1.0
    observed = np.zeros((size, size))
    for i, j in zip(x - low, y - low):
        observed[i, j] += 1
    expected = np.outer(observed.sum(axis=1), observed.sum(axis=0)) / observed.sum()
    index = np.arange(size)
    weights = (index[:, None] - index[None, :]) ** 2 / (size - 1) ** 2
    return float(1.0 - (weights * observed).sum() / (weights * expected).sum())


def to_half_points(scores: Sequence[float]) -> list[int]:
    """Scores on the rubric's half-point grid as integer categories (6.5 -> 13)."""
    return [int(math.floor(2 * s + 0.5)) for s in scores]


def agreement(grader: Sequence[float], human: Sequence[float], *, tolerance: float) -> float:
    """Share of answers where grader and human differ by at most `tolerance` points."""
    g, h = np.asarray(grader, dtype=float), np.asarray(human, dtype=float)
    return float(np.mean(np.abs(g - h) <= tolerance + 1e-9))


def summary(grader: Sequence[float], human: Sequence[float], *, step: float = 1.0) -> dict[str, float]:
    """QWK on the half-point grid, Pearson, exact (same half point) and adjacent (within `step`)."""
    return {
        "n": len(grader),
        "qwk": quadratic_weighted_kappa(to_half_points(grader), to_half_points(human)),
        "pearson": pearson(grader, human),
        "exact": agreement(grader, human, tolerance=0.0),
        "adjacent": agreement(grader, human, tolerance=step),
    }
