"""`manage.py grade` as DESIGN.md defines it: the last stdout line is the JSON result."""
import json
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

SUBMISSIONS = REPO_ROOT / "tests" / "fixtures" / "submissions"
RESULT_KEYS = {"verdict", "score", "message", "flags", "checks", "metrics", "log"}


def grade(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "grade", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout)


def grade_json(slug: str, path) -> dict:
    proc = grade(slug, str(path), "--json")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert RESULT_KEYS <= set(result)
    return result


@pytest.mark.slow
def test_reference_is_accepted_with_timings():
    result = grade_json("fused-attention", REPO_ROOT / "challenges" / "fused-attention" / "reference" / "solution.py")
    assert result["verdict"] == "accepted", result["message"]
    assert result["score"] >= 40
    assert result["metrics"]["speedup"] > 0
    latency = result["metrics"]["latency_ms"]
    assert latency["n"] > 0 and latency["p10"] <= latency["median"] <= latency["p90"]
    assert [c["status"] for c in result["checks"]] == ["pass", "pass", "pass"]


def test_wrong_solution_is_wrong_answer():
    result = grade_json("fused-attention", SUBMISSIONS / "attention_wrong.py")
    assert result["verdict"] == "wrong_answer"
    assert result["score"] == 0.0
    assert "rel error" in result["message"]


def test_syntax_error_is_compile_error_with_line():
    result = grade_json("fused-attention", SUBMISSIONS / "attention_syntax.py")
    assert result["verdict"] == "compile_error"
    assert "line 4" in result["message"]


def test_infinite_loop_is_time_limit_exceeded():
    result = grade_json("fused-attention", SUBMISSIONS / "attention_loop.py")
    assert result["verdict"] == "time_limit_exceeded"


def test_unknown_slug_is_a_usage_error():
    proc = grade("no-such-challenge", str(SUBMISSIONS / "attention_loop.py"))
    assert proc.returncode == 2
    assert "unknown challenge" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_path_is_a_usage_error(tmp_path):
    proc = grade("fused-attention", str(tmp_path / "missing.py"))
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr


def test_graders_cli_runs_without_django(tmp_path):
    """`python -m graders grade` is the same pipeline on a host without Django."""
    code = (
        "import sys, runpy; sys.modules['django'] = None; sys.argv = ['graders', 'grade', 'fused-attention', sys.argv[1], '--json'];"
        "runpy.run_module('graders', run_name='__main__')"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(SUBMISSIONS / "attention_wrong.py")], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1])["verdict"] == "wrong_answer"
