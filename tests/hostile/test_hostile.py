"""One hostile submission per trick of ANTI_CHEAT.md (tests/hostile/submissions/), each graded
through the harness against the small `tiny-softmax` fixture; an honest naive one is accepted.

Each submission's header states what the graders must make of it:
  # expect: <verdict>            (or `not accepted`)
  # flag: <flag>                  a flag the result must carry
  # speedup_at_most: <float>      the reported speedup must stay below this (the trick must not pay)
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.harness_runner import grade_direct

SUBMISSIONS = sorted((Path(__file__).parent / "submissions").glob("*.py"))


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
    return meta


def check(result, meta: dict, name: str) -> None:
    data = result.as_dict()
    summary = f"{name}: {data['verdict']} ({data['message']}) flags={data['flags']}"
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


def test_every_submission_states_its_expectation():
    assert len(SUBMISSIONS) >= 25
    for path in SUBMISSIONS:
        meta = expectations(path)
        assert "expect" in meta, f"{path.name} has no '# expect:' line"
        assert "trick:" in path.read_text() or path.stem == "honest_naive", f"{path.name} does not say which trick it plays"


@pytest.mark.parametrize("path", SUBMISSIONS, ids=lambda p: p.stem)
def test_hostile_submission_is_caught(path: Path):
    meta = expectations(path)
    result = grade_direct("tiny-softmax", {"solution.py": path.read_text()})
    check(result, meta, path.stem)
    if path.stem == "forge_stdout" or path.stem.startswith("forge_"):
        assert "forged" not in result.message
