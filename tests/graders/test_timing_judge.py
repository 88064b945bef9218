"""The timing judge (graders/harness/timing_judge.py) on synthetic batches: which clock decides,
how far an in-process figure may move the charged one, symmetry, and the speedup's CI."""
from __future__ import annotations

import random

import pytest

from graders.harness import timing_judge as tj


def _series(*, call_ns: float, harness_ns: float, report: float = 1.0, noise: float = 0.01, batches: int = 16, calls: int = 20, seed: int = 0) -> tj.Series:
    """Batches of `calls` calls of `call_ns` each; the in-process figure is `report` x the truth."""
    rng = random.Random(seed)
    series = tj.Series()
    for _ in range(batches):
        truth = [call_ns * (1 + rng.gauss(0, noise)) for _ in range(calls)]
        overhead = harness_ns * calls * (1 + rng.gauss(0, noise))
        wall = int(sum(truth) + overhead)
        series.add([int(t * report) for t in truth], {"wall": wall, "cpu": int(wall * 0.98)})
    return series


def test_the_same_code_on_both_sides_comes_out_even():
    judged = tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=100e3, seed=1), baseline=_series(call_ns=300e3, harness_ns=100e3, seed=2))
    assert judged["speedup"] == pytest.approx(1.0, abs=0.01)
    assert judged["source"] == "in_process" and not judged["mismatch"]
    low, high = judged["speedup_ci"]
    assert low < judged["speedup"] < high and high / low < 1.05


@pytest.mark.parametrize("report", [0.82, 0.5, 0.0001])
def test_a_timer_that_runs_slow_gains_at_most_the_allowance(report):
    honest = tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=100e3, seed=1), baseline=_series(call_ns=300e3, harness_ns=100e3, seed=2))
    tampered = tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=100e3, report=report, seed=1), baseline=_series(call_ns=300e3, harness_ns=100e3, seed=2))
    side = tampered["sides"]["candidate"]
    assert tampered["source"] == "outside_clock" and tampered["mismatch"]
    assert side["charged_ns"] == pytest.approx(side["outside_ns"] - side["allowed_ns"])
    assert side["allowed_ns"] < 0.06 * side["outside_ns"]
    assert tampered["speedup"] <= honest["speedup"] * 1.06


def test_work_in_threads_that_exited_shows_on_the_wall_clock():
    candidate = _series(call_ns=300e3, harness_ns=100e3, report=0.5, seed=3)
    for batch in candidate.batches:
        batch.clocks["cpu"] = batch.clocks["cpu"] // 2  # the work ran in threads that exited before the batch ended
    baseline = _series(call_ns=300e3, harness_ns=100e3, seed=4)
    unseen = tj.judge_case(device="cpu", candidate=candidate, baseline=baseline)
    assert unseen["sides"]["candidate"]["clock"] == "cpu"  # nothing was created: the CPU clock alone judges
    candidate.spawned = True  # the pid namespace's last pid moved during its batches
    judged = tj.judge_case(device="cpu", candidate=candidate, baseline=baseline)
    assert judged["sides"]["candidate"]["clock"] == "wall" and judged["sides"]["baseline"]["clock"] == "cpu"
    assert judged["speedup"] < 1.06


def test_a_busy_host_does_not_move_the_cpu_clock():
    """The wall clock of a loaded host grows with the other load; the CPU clock does not, and it
    alone judges a side that created nothing."""
    candidate = _series(call_ns=300e3, harness_ns=100e3, seed=11)
    for batch in candidate.batches:
        batch.clocks["wall"] = int(batch.clocks["wall"] * 1.8)
    judged = tj.judge_case(device="cpu", candidate=candidate, baseline=_series(call_ns=300e3, harness_ns=100e3, seed=12))
    assert judged["speedup"] == pytest.approx(1.0, abs=0.02)


def test_a_timer_reporting_more_than_the_truth_is_held_to_the_outside_clock_too():
    judged = tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=100e3, report=3.0, seed=5), baseline=_series(call_ns=300e3, harness_ns=100e3, seed=6))
    side = judged["sides"]["candidate"]
    assert side["charged_ns"] == pytest.approx(side["outside_ns"] + side["allowed_ns"])
    assert judged["speedup"] > 0.9


def test_noisy_clocks_widen_the_ci_and_the_allowance():
    quiet = tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=50e3, seed=7), baseline=_series(call_ns=300e3, harness_ns=50e3, seed=8))
    noisy = tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=50e3, noise=0.2, seed=7), baseline=_series(call_ns=300e3, harness_ns=50e3, noise=0.2, seed=8))
    assert noisy["speedup_ci_rel"] > 3 * quiet["speedup_ci_rel"]
    assert noisy["sides"]["candidate"]["allowed_ns"] > quiet["sides"]["candidate"]["allowed_ns"]


def test_the_allowance_never_exceeds_its_cap():
    judged = tj.judge_case(device="cuda", candidate=_series(call_ns=10e3, harness_ns=200e3, report=0.0001, noise=0.3, seed=9), baseline=_series(call_ns=10e3, harness_ns=200e3, noise=0.3, seed=10))
    side = judged["sides"]["candidate"]
    assert side["allowed_ns"] <= tj.NOISE_CAP_SHARE * side["outside_ns"] + 1e-6


def test_combined_speedup_is_the_geometric_mean_with_a_ci_that_narrows_with_more_cases():
    cases = [{"speedup": 2.0, "speedup_ci": [1.9, 2.1]}, {"speedup": 0.5, "speedup_ci": [0.45, 0.55]}]
    speedup, (low, high) = tj.combined_speedup(cases)
    assert speedup == pytest.approx(1.0)
    assert low < 1.0 < high
    single, (slow, shigh) = tj.combined_speedup(cases[1:])
    assert shigh / slow > high / low
    assert tj.combined_speedup([]) == (None, None)


def test_a_side_with_no_usable_spread_gives_no_ci_rather_than_an_infinite_one():
    """A side whose batches read 0 (a call faster than the clock's grain, say) has no CI: the
    result says so (None), never `inf`, which JSON and the database refuse."""
    zero = tj.Series()
    for _ in range(8):
        zero.add([0] * 5, {"wall": 50_000, "cpu": 49_000})
    judged = tj.judge_case(device="cpu", candidate=zero, baseline=_series(call_ns=300e3, harness_ns=100e3, seed=2))
    assert judged["speedup_ci"] is None and judged["speedup_ci_rel"] is None
    speedup, ci = tj.combined_speedup([judged, tj.judge_case(device="cpu", candidate=_series(call_ns=300e3, harness_ns=100e3, seed=1), baseline=_series(call_ns=300e3, harness_ns=100e3, seed=2))])
    assert ci is None and speedup is not None


def test_the_supervisor_result_never_carries_a_non_finite_number():
    import json

    from graders.harness.supervisor import finite_only

    result = {"metrics": {"speedup": float("inf"), "speedup_ci": [0.5, float("nan")], "cases": [{"x": -float("inf"), "n": 3}]}, "verdict": "accepted"}
    clean = finite_only(result)
    assert clean == {"metrics": {"speedup": None, "speedup_ci": [0.5, None], "cases": [{"x": None, "n": 3}]}, "verdict": "accepted"}
    json.dumps(clean, allow_nan=False)
