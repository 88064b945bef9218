"""Clock shaving, timer patching and deferred work through the harness (tests/hostile/clocks/):
each file does the same work as its honest twin (`heavy_honest.py`) and tampers with how it is
timed. The score comes from the supervisor's clocks, so tampering must not pay: the time each
one is charged stays at its twin's (within the run-to-run spread of two gradings and the
allowance the result states), the in-process figures are set aside for the outside clocks' and
the result is flagged. The candidate's own charged time is compared, not the speedup: the
fixture's baseline call is so short (about 10 us) that its figure moves more between two
gradings than any of these tricks could. Run on both backends.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.harness_runner import grade_via_pipeline
from tests.hostile.test_hostile import BACKENDS, check, expectations

HERE = Path(__file__).parent / "clocks"
TAMPERED = sorted(p for p in HERE.glob("*.py") if p.stem != "heavy_honest")
# Two gradings of the same code differ by a few percent on a shared 2-core host
# (docs/grading.md: repeatability); a tampering that paid would show as more than this.
SPREAD_BETWEEN_GRADINGS = 1.10


@pytest.fixture(scope="module")
def twin_charged_ms():
    cache = {}

    def get(backend: str) -> float:
        if backend not in cache:
            # the faster of two gradings: a twin graded while the host happened to be slow would
            # make an honest figure look like a gain (between gradings the charged median moves
            # up to 10% on a noisy 2-core host, docs/grading.md "Repeatability")
            path = HERE / "heavy_honest.py"
            charged = []
            for _ in range(2):
                result = grade_via_pipeline("tiny-softmax", {"solution.py": path.read_text()}, backend=backend)
                check(result, expectations(path), path.stem)
                (case,) = result.metrics["cases"]
                charged.append(case["candidate"]["charged_median"])
            cache[backend] = min(charged)
        return cache[backend]

    return get


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", TAMPERED, ids=lambda p: p.stem)
def test_tampering_with_the_clock_does_not_pay(path: Path, backend: str, twin_charged_ms):
    result = grade_via_pipeline("tiny-softmax", {"solution.py": path.read_text()}, backend=backend)
    check(result, expectations(path), path.stem)
    (case,) = result.metrics["cases"]
    summary = f"{path.stem}: {result.message}"
    assert case["source"] == "outside_clock", summary
    charged = case["candidate"]["charged_median"]
    outside = case["candidate_outside"]
    # The in-process figure moved the charged one by no more than the allowance, and that
    # allowance is a small share of what the outside clock saw.
    assert charged >= outside["median"] - outside["allowed_us"] / 1e3 - 1e-9, summary
    assert outside["allowed_us"] / 1e3 <= 0.25 * outside["median"], summary
    # What tampering can gain is bounded by the allowance the result states (a busy host widens it,
    # and then the result is flagged noisy): never more.
    gain_bound = 1 + outside["allowed_us"] / 1e3 / outside["median"]
    assert twin_charged_ms(backend) / charged <= SPREAD_BETWEEN_GRADINGS * gain_bound, summary
    if gain_bound > 1.05:
        assert "noisy" in result.flags, summary
    assert "outside clocks decided" in result.message, summary
