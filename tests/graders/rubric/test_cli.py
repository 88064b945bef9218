"""`python -m graders.rubric score`: the DESIGN.md contract without Django."""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import REPO_ROOT


def run(*args: str, stdin: str = ""):
    return subprocess.run([sys.executable, "-m", "graders.rubric", *args], input=stdin, capture_output=True,
                          text=True, cwd=REPO_ROOT, timeout=300)


def test_score_json_is_the_last_line_of_stdout(tmp_path):
    answer = tmp_path / "answer.md"
    answer.write_text("Compare throughput and GPU utilisation before and after the deployment, then bisect the diff.")
    completed = run("score", "debug-regression", str(answer), "--json")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    assert data["max"] == 10 and data["score"] >= 2
    assert {c["id"] for c in data["criteria"]} >= {"baseline", "hypothesis_bisect"}


def test_reference_mode_reads_standard_input():
    completed = run("score", "--question", "What does a stack do?", "--reference", "Last in, first out storage.",
                    "--max", "5", "-", "--json", stdin="It stores items last in, first out.")
    assert completed.returncode == 0, completed.stderr
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    assert data["max"] == 5 and [c["id"] for c in data["criteria"]] == ["reference"]


def test_usage_errors_exit_2_with_a_message():
    unknown = run("score", "no-such-challenge", "-", "--json")
    assert unknown.returncode == 2 and "unknown challenge" in unknown.stderr
    missing = run("score", "debug-regression", "/nonexistent/answer.md")
    assert missing.returncode == 2 and "no such file" in missing.stderr
    partial = run("score", "--question", "Q?", "--max", "5", "-")
    assert partial.returncode == 2 and "--reference" in partial.stderr


def test_scores_do_not_depend_on_the_hash_seed(tmp_path):
    """Set iteration order changes with PYTHONHASHSEED; the grader's output must not."""
    import os

    answer = tmp_path / "answer.md"
    answer.write_text("nsys, ncu, memory throughput, roofline. Check the GPU utilisation before and after; "
                      "Nsight Systems timeline for host-device synchronisation. DCGM.")
    outputs = []
    for seed in ("1", "2"):
        completed = subprocess.run([sys.executable, "-m", "graders.rubric", "score", "debug-regression", str(answer),
                                    "--json"], capture_output=True, text=True, cwd=REPO_ROOT, timeout=300,
                                   env={**os.environ, "PYTHONHASHSEED": seed})
        assert completed.returncode == 0, completed.stderr
        outputs.append(completed.stdout.strip().splitlines()[-1])
    assert outputs[0] == outputs[1]
