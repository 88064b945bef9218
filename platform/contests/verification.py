"""The re-verification rule, in one place: does a fresh grading reproduce an entry's result?

Only a result that is *worse* than the original's confidence interval fails: a fresh run
that is faster is no reason to doubt anyone. "Worse" means the whole fresh interval (its
upper end, or its point value without one) lies below the original interval's lower end
(or its point value), so ordinary run-to-run noise, which the two intervals already
describe, never demotes an honest entry."""
from __future__ import annotations

from dataclasses import dataclass

from graders import verdicts
from leaderboards.ranking import measured_speedup


@dataclass(frozen=True)
class Reproduction:
    reproduced: bool
    reason: str  # empty when reproduced


def _interval(speedup: float | None, ci: tuple[float, float] | None) -> str:
    if speedup is None:
        return "no speedup"
    return f"{speedup:.3g}x (95% CI {ci[0]:.3g}-{ci[1]:.3g})" if ci else f"{speedup:.3g}x"


def reproduces(*, original_metrics: dict, fresh_verdict: str, fresh_message: str, fresh_metrics: dict) -> Reproduction:
    if fresh_verdict != verdicts.ACCEPTED:
        return Reproduction(False, f"re-graded with a fresh secret seed: {fresh_verdict.replace('_', ' ')} ({fresh_message[:200]})")
    old, old_ci = measured_speedup(original_metrics)
    new, new_ci = measured_speedup(fresh_metrics)
    if old is None:
        return Reproduction(True, "")  # nothing timed (a written answer): a correct re-grading is enough
    if new is None:
        return Reproduction(False, "re-graded with a fresh secret seed: no speedup was measured")
    floor = old_ci[0] if old_ci else old
    best_fresh = new_ci[1] if new_ci else new
    if best_fresh >= floor:
        return Reproduction(True, "")
    return Reproduction(
        False,
        f"re-graded with a fresh secret seed: speedup {_interval(new, new_ci)}, below the original {_interval(old, old_ci)}",
    )
