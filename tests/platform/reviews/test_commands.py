"""manage.py score_answer and evaluate_rubric, as DESIGN.md defines them."""
from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command


def call(*args, stdin: str | None = None, monkeypatch=None):
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command(*args, stdout=out)
    return out.getvalue()


def test_score_answer_prints_the_json_contract_on_the_last_line(tmp_path):
    answer = tmp_path / "answer.md"
    answer.write_text("If GPU utilisation is low, trace it with Nsight Systems and look for gaps between kernels.")
    data = json.loads(call("score_answer", "debug-regression", str(answer), "--json").strip().splitlines()[-1])
    assert data["max"] == 10 and isinstance(data["needs_review"], bool)
    nsys = next(c for c in data["criteria"] if c["id"] == "gpu_low_nsys")
    assert nsys["points"] == 2 and "Nsight Systems" in nsys["evidence"]


def test_score_answer_reference_mode_reads_stdin(monkeypatch):
    output = call("score_answer", "--question", "What is a queue?", "--reference", "A first-in first-out list.",
                  "--max", "5", "-", "--json", stdin="A list where the first item in is the first out.",
                  monkeypatch=monkeypatch)
    data = json.loads(output.strip().splitlines()[-1])
    assert data["max"] == 5 and data["criteria"][0]["id"] == "reference"


@pytest.mark.parametrize("args, message", [
    (("no-such-slug", "-"), "unknown challenge"),
    (("debug-regression", "/nonexistent/answer.md"), "no such file"),
    (("debug-regression",), "SLUG PATH"),
])
def test_score_answer_usage_errors_exit_2(args, message):
    with pytest.raises(CommandError, match=message) as error:
        call_command("score_answer", *args)
    assert error.value.returncode == 2


def test_evaluate_rubric_prints_agreement_figures():
    output = call("evaluate_rubric", "--skip-mohler", "--split", "holdout")
    for name in ("debug-regression", "batch-scaling", "written (pooled)"):
        assert name in output
    assert "QWK=" in output and "Pearson=" in output and "exact=" in output and "adjacent" in output
