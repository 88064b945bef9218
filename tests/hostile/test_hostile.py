"""One hostile submission per trick of ANTI_CHEAT.md (tests/hostile/submissions/), each graded
through the real path (`graders.pipeline.grade`) against the small `tiny-softmax` fixture, on
the process sandbox backend and on the docker one (skipped, saying why, where the engine or
the sandbox image is missing; slow, so `make test-fast` runs the process half only). An honest
naive one is accepted.

Each submission's header states what the graders must make of it:
  # expect: <verdict>            (or `not accepted`)
  # flag: <flag>                  a flag the result must carry
  # speedup_at_most: <float>      the reported speedup must stay below this (the trick must not pay)
Whatever it expects, no hostile file is ever graded `internal_error` (a platform failure is
not counted and is retried: a candidate must not be able to cause one), and no `LEAK:` line
(a probe that could read something it must not) appears in the log of those in `NO_LEAKS`.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.harness_runner import grade_via_pipeline

SUBMISSIONS = sorted((Path(__file__).parent / "submissions").glob("*.py"))
BACKENDS = [pytest.param("process"), pytest.param("docker", marks=pytest.mark.slow)]
NO_LEAKS = {"seed_snooping"}


def expectations(path: Path) -> dict:
    meta = {"flags": []}
    for line in path.read_text().splitlines():
        if not line.startswith("#"):
            break
        key, _, value = line.lstrip("# ").partition(":")
        if key == "expect":
            meta["expect"] = value.strip()
        elif key == "flag":
            meta["flags"].append(value.strip())
        elif key == "speedup_at_most":
            meta["speedup_at_most"] = float(value)
        elif key == "hides":  # the share of its time a clock-tampering file hides from the in-process timer
            meta["hides"] = float(value)
    return meta


def check(result, meta: dict, name: str) -> None:
    data = result.as_dict()
    summary = f"{name}: {data['verdict']} ({data['message']}) flags={data['flags']}"
    assert data["verdict"] != "internal_error", summary
    if meta["expect"] == "not accepted":
        assert data["verdict"] != "accepted", summary
        assert data["score"] == 0.0, summary
    else:
        assert data["verdict"] == meta["expect"], summary
    if data["verdict"] != "accepted":
        assert data["score"] == 0.0, summary
    for flag in meta["flags"]:
        assert flag in data["flags"], summary
    if "speedup_at_most" in meta:
        assert data["metrics"]["speedup"] is not None, summary
        assert data["metrics"]["speedup"] <= meta["speedup_at_most"], summary
    if name in NO_LEAKS:  # the other probes' leaks are judged by their own suites (class 2, 6)
        leaks = [line for line in data["log"].splitlines() if line.startswith("LEAK:")]
        assert leaks == [], f"{name}: the candidate could read: {leaks}"
    assert "forged" not in data["message"], summary


def test_every_submission_states_its_expectation():
    assert len(SUBMISSIONS) >= 25
    for path in SUBMISSIONS:
        meta = expectations(path)
        assert "expect" in meta, f"{path.name} has no '# expect:' line"
        assert meta["expect"] != "internal_error", f"{path.name}: nothing a candidate does may be a platform error"
        assert "trick:" in path.read_text() or path.stem.startswith("honest"), f"{path.name} does not say which trick it plays"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_hostile_submission_is_caught(path: Path, backend: str):
    result = grade_via_pipeline("tiny-softmax", {"solution.py": path.read_text()}, backend=backend)
    check(result, expectations(path), path.stem)
