"""Clock shaving, timer patching and deferred work through the harness (tests/hostile/clocks/):
each file does the same work as its honest twin (`heavy_honest.py`) and tampers with how it is
timed. The score comes from the supervisor's clocks, so tampering must not pay. On
`tiny-softmax` (a 10 us baseline) each trick is seen: the in-process figures are set aside for
the outside clocks' and the result is flagged. On `heavy-softmax` (tiny-softmax with the
twin's own code as its baseline, built here) the twin comes out even within one grading, and
a tampering file may come out ahead by no more than the allowance its result states (a busy
host widens it, and then the result is flagged noisy): the lower end of its speedup's 95% CI
stays within that allowance and the within-grading spread of the same code timed as
candidate and baseline. A speedup is compared, not a charged time across two gradings: on
this 2-core VM the same code's charged median moved between 0.29 and 0.48 ms from one grading
to the next (2026-12-01), which no tolerance between gradings could tell from a gain.
Run on both backends. The speedup is a per-round ratio against the baseline (docs/grading.md,
"The speedup of a case"): a ratio of the two sides' own medians made this test flaky here.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.graders.harness_runner import FIXTURES, grade_via_pipeline
from tests.hostile.test_hostile import BACKENDS, check, expectations

HERE = Path(__file__).parent / "clocks"
TWIN = HERE / "heavy_honest.py"
TAMPERED = sorted(p for p in HERE.glob("*.py") if p != TWIN)
SEEN_ON = "tiny-softmax"  # a 10 us baseline: the allowance is the candidate's own clocks' to give
EVEN_ON = "heavy-softmax"  # tiny-softmax with the twin as its baseline: a gain shows as a speedup
# The same code timed as candidate and as baseline in one grading: A/A speedups stay within a
# few percent (docs/grading.md, fairness); a tampering that paid would show as more than this.
SPREAD_WITHIN_GRADING = 1.05


@pytest.fixture(scope="module")
def even_roots(tmp_path_factory) -> list[Path]:
    """`heavy-softmax`: tiny-softmax whose baseline calls the twin's own code, so one source
    holds the work both sides do."""
    package = tmp_path_factory.mktemp("clock-fixtures") / EVEN_ON
    shutil.copytree(FIXTURES / SEEN_ON, package)
    toml = package / "challenge.toml"
    toml.write_text(toml.read_text().replace(f'slug = "{SEEN_ON}"', f'slug = "{EVEN_ON}"', 1))
    (package / "tests" / "baseline.py").write_text(TWIN.read_text() + "\n\ndef baseline(*, x):\n    return softmax(x)\n")
    return [package.parent]


def _grade_even(files: dict[str, str], backend: str, roots: list[Path]):
    return grade_via_pipeline(EVEN_ON, files, backend=backend, roots=roots)


def _credit(case: dict) -> float:
    """The most the allowance can credit the candidate: charged at its band's lower edge."""
    outside = case["candidate_outside"]
    judged, allowed = outside["judged_median"], outside["allowed_us"] / 1e3
    return judged / max(judged - allowed, 1e-12)


def _ci(case: dict) -> tuple[float, float]:
    return tuple(case["speedup_ci"]) if case.get("speedup_ci") else (case["speedup"], case["speedup"])


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_honest_twin_comes_out_even_with_its_own_work_as_baseline(backend: str, even_roots):
    result = _grade_even({"solution.py": TWIN.read_text()}, backend, even_roots)
    check(result, expectations(TWIN), TWIN.stem)
    (case,) = result.metrics["cases"]
    low, high = _ci(case)
    assert low <= SPREAD_WITHIN_GRADING and high >= 1 / SPREAD_WITHIN_GRADING, result.message


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", TAMPERED, ids=lambda p: p.stem)
def test_tampering_with_the_clock_is_seen_and_set_aside(path: Path, backend: str):
    """Each trick is seen: the outside clocks decide and the result is flagged. A file that hides
    less of its time than a busy host's allowance (`# hides:`, slow_thread_clock's 18% against an
    allowance that can reach its 25% cap here) cannot be told from noise: then it must still gain
    no more than the allowance, and the result must say it is noisy."""
    meta = expectations(path)
    result = grade_via_pipeline(SEEN_ON, {"solution.py": path.read_text()}, backend=backend)
    (case,) = result.metrics["cases"]
    summary = f"{path.stem}: {result.message} flags={result.flags}"
    charged = case["candidate"]["charged_median"]
    outside = case["candidate_outside"]
    judged, allowed = outside["judged_median"], outside["allowed_us"] / 1e3
    # The in-process figure moved the charged one by no more than the allowance, and that
    # allowance is a small share of what the outside clock saw.
    assert charged >= (judged - allowed) * (1 - 1e-9), summary
    assert allowed <= 0.25 * judged * (1 + 1e-9), summary
    if allowed / judged > 0.05:
        assert "noisy" in result.flags, summary
    if allowed / judged >= 0.8 * meta.get("hides", 1.0):  # within (or at the edge of) the stated noise
        check(result, dict(meta, flags=["noisy"]), path.stem)
        return
    check(result, meta, path.stem)
    assert case["source"] == "outside_clock", summary
    assert "outside clocks decided" in result.message, summary


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", TAMPERED, ids=lambda p: p.stem)
def test_tampering_with_the_clock_does_not_pay(path: Path, backend: str, even_roots):
    """Against its own work as the baseline, in one grading: what tampering can gain is bounded
    by the allowance the result states (a busy host widens it, and then the result is flagged
    noisy), never more."""
    result = _grade_even({"solution.py": path.read_text()}, backend, even_roots)
    assert result.verdict == "accepted", f"{path.stem}: {result.message}"
    (case,) = result.metrics["cases"]
    gain_bound = _credit(case)
    low, _ = _ci(case)
    assert low <= SPREAD_WITHIN_GRADING * gain_bound, f"{path.stem}: {result.message}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_check_sees_real_work_saved(backend: str, even_roots):
    """The bound above can fail: an honest file doing a third of the twin's passes comes out
    ahead by far more than any allowance."""
    lighter = TWIN.read_text().replace("range(12)", "range(4)")
    assert lighter != TWIN.read_text()
    result = _grade_even({"solution.py": lighter}, backend, even_roots)
    assert result.verdict == "accepted", result.message
    (case,) = result.metrics["cases"]
    low, _ = _ci(case)
    assert low > SPREAD_WITHIN_GRADING * _credit(case), result.message
