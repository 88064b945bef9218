"""What one honest grading of the `tiny-softmax` fixture reports: the DESIGN.md result shape,
a measurement with its method and spread, an environment fingerprint, a profile and a trace."""
from __future__ import annotations

import base64
import gzip
import json

import pytest

from tests.graders.harness_runner import FIXTURES, grade_via_pipeline

HONEST = (FIXTURES / "tiny-softmax" / "starter" / "solution.py").read_text()


@pytest.fixture(scope="module")
def honest():
    result = grade_via_pipeline("tiny-softmax", {"solution.py": HONEST}).as_dict()
    assert result["verdict"] == "accepted", result["message"]
    return result


def test_result_has_the_contract_shape(honest):
    assert set(honest) == {"verdict", "score", "message", "flags", "checks", "metrics", "log"}
    assert [c["name"] for c in honest["checks"]] == ["static", "correctness", "latency", "profile"]
    assert all(c["status"] == "pass" for c in honest["checks"])
    assert "hidden" in honest["checks"][1]["detail"] and "inputs unchanged" in honest["checks"][1]["detail"]
    assert 40.0 <= honest["score"] <= 100.0


def test_latency_is_reported_with_spread_and_method(honest):
    metrics = honest["metrics"]
    lat = metrics["latency_ms"]
    for key in ("median", "p10", "p90", "iqr", "n", "ci_low", "ci_high", "ci_rel"):
        assert key in lat
    assert lat["p10"] <= lat["median"] <= lat["p90"] and lat["ci_low"] <= lat["median"] <= lat["ci_high"]
    # per call: at least MIN_ROUNDS batches of at least 3 calls
    assert lat["n"] >= 8 * 3 and lat["per_batch"]["n"] >= 8
    (case,) = metrics["cases"]
    assert case["mode"] == "eager" and case["rounds"] >= 8 and case["source"] in ("in_process", "outside_clock")
    assert case["speedup"] > 0 and metrics["speedup"] == pytest.approx(case["speedup"])
    assert set(case["clocks"]) == {"wall", "cpu"} and set(case["harness_cost_us"]) == {"wall", "cpu"}
    for role in ("candidate", "baseline"):
        assert case[f"{role}_outside"]["clock"] in ("wall", "cpu") and case[f"{role}_outside"]["allowed_us"] >= 0
        assert case[role]["charged_median"] > 0
    low, high = metrics["speedup_ci"]
    assert low <= metrics["speedup"] <= high
    assert ("noisy" in honest["flags"]) == (not case["converged"] or case["allowance_share"] > 0.05)
    method = metrics["timing_method"]
    for phrase in ("thread's CPU time", "interleaved", "sealed", "95% CI", "wall clock", "CPU time", "outside the candidate's process"):
        assert phrase in method
    env = metrics["environment"]
    assert env["device_kind"] == "cpu" and env["torch"] and "python" in env


def test_profile_summary_and_trace_are_attached(honest):
    profile = honest["metrics"]["profile"]
    assert profile["calls"] == 5 and profile["activities"] == ["cpu"]
    assert any(row["name"].startswith("aten::") for row in profile["top_ops_by_self_cpu"])
    assert profile["ncu"] == {"status": "not applicable (cpu)"}
    trace = json.loads(gzip.decompress(base64.b64decode(profile["trace_gz_b64"])))
    assert isinstance(trace["traceEvents"], list) and trace["traceEvents"]
