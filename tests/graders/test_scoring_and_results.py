import json
import math

import pytest

from graders import scoring
from graders.registry import GraderKind, RegistryError, get_grader, grader_names, register_grader
from graders.result import GradeResult, ResultError, parse_result


def test_incorrect_scores_zero_whatever_the_speed():
    assert scoring.score(formula="default", verdict="wrong_answer", speedup=100.0, tiers=[1.0, 2.0]) == 0.0


def test_correct_scores_forty_plus_log_scale_credit():
    tiers = [0.5, 2.0]
    assert scoring.score(formula="default", verdict="accepted", speedup=0.1, tiers=tiers) == 40.0
    assert scoring.score(formula="default", verdict="accepted", speedup=0.5, tiers=tiers) == 40.0
    assert scoring.score(formula="default", verdict="accepted", speedup=1.0, tiers=tiers) == pytest.approx(40 + 60 * math.log(2) / math.log(4), abs=0.01)
    assert scoring.score(formula="default", verdict="accepted", speedup=2.0, tiers=tiers) == 100.0
    assert scoring.score(formula="default", verdict="accepted", speedup=50.0, tiers=tiers) == 100.0
    assert scoring.score(formula="default", verdict="accepted", speedup=None, tiers=tiers) == 40.0


def test_tiers_reached():
    assert scoring.tier_reached(speedup=0.95, tiers=[0.7, 0.9, 1.05]) == 2
    assert scoring.tier_reached(speedup=None, tiers=[0.7]) == 0


def test_scorer_registry_refuses_duplicates_and_unknown_formulas():
    with pytest.raises(ValueError):
        scoring.register_scorer("default")(lambda **k: 0.0)
    with pytest.raises(ValueError, match="unknown scoring formula"):
        scoring.score(formula="nope", verdict="accepted", speedup=1.0, tiers=[1.0])


def test_grader_registry_checks_what_it_is_given():
    assert {"static", "correctness", "latency", "profile", "throughput"} <= set(grader_names())
    assert get_grader("throughput").stage == "sandbox"
    with pytest.raises(RegistryError):
        register_grader(GraderKind("latency", "sandbox", "again"))
    with pytest.raises(RegistryError):
        register_grader(GraderKind("odd name!", "sandbox", "x"))
    with pytest.raises(RegistryError):
        register_grader(GraderKind("fine", "moon", "x"))
    with pytest.raises(RegistryError):
        register_grader("not a kind")


def _line(**over):
    data = {"verdict": "accepted", "message": "", "flags": [], "checks": [], "metrics": {"speedup": 1.5}, "log": ""}
    data.update(over)
    return (json.dumps(data) + "\n").encode()


def test_result_parser_takes_the_last_line_only_and_is_strict():
    assert parse_result(b"noise\n" + _line()).verdict == "accepted"
    for bad in (b"", b"not json\n", _line(verdict="great"), _line(flags=[1]), _line(checks=[{"name": "x", "status": "meh", "detail": ""}]),
                _line(metrics={"speedup": -1}), _line(metrics={"speedup": True}), _line(log=5), b"[1, 2]\n", b"x" * (3 << 20)):
        with pytest.raises(ResultError):
            parse_result(bad)


def test_result_shape_has_the_contract_keys_and_caps_the_log():
    data = GradeResult(verdict="accepted", log="x" * 100_000).as_dict()
    assert set(data) == {"verdict", "score", "message", "flags", "checks", "metrics", "log"}
    assert {"speedup", "latency_ms"} <= set(data["metrics"])
    assert len(data["log"].encode()) < 66_000
