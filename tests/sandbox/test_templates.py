"""The pre-imported templates (docs/sandbox.md, "Templates"): a grading gives the same
verdict with and without them, and a dead template is replaced."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

import sandbox
from graders.pipeline import GradeJob, grade

REPO = Path(__file__).resolve().parents[2]
STARTER = (REPO / "challenges" / "fused-attention" / "starter" / "solution.py").read_text()
WRONG = STARTER.replace("return probs @ v", "return (probs @ v) * 1.01")


@pytest.mark.slow
@pytest.mark.parametrize("template", [True, False], ids=["template", "exec"])
def test_same_verdicts_with_and_without_templates(backend, template, probe_root, monkeypatch):
    if not template:
        monkeypatch.setenv("HOTPATH_SANDBOX_TEMPLATE", "0")  # read per job by the docker backend
        import sandbox.backends.process as process

        monkeypatch.setattr(process, "_TEMPLATE", None)
    assert WRONG != STARTER
    for files, expected in (({"solution.py": STARTER}, "accepted"), ({"solution.py": WRONG}, "wrong_answer")):
        result = grade(GradeJob(slug="sandbox-probe", files=files, backend=backend, roots=[probe_root]))
        assert result.verdict == expected, f"{result.verdict}: {result.message}\n{result.log[-1500:]}"


def test_a_killed_template_is_replaced(root_cgroups):
    import sandbox.backends.process as process

    if process._TEMPLATE is None:
        pytest.skip("templates are turned off (HOTPATH_SANDBOX_TEMPLATE=0)")
    job = sandbox.SandboxJob(argv=("{python}", "-c", "import torch; print(torch.ones(2).sum().item())"), bundle=REPO / "sandbox" / "images")
    first = sandbox.run(job, backend="process")
    assert first.stdout == b"2.0\n", first
    old = process._TEMPLATE.proc
    assert old is not None and old.poll() is None
    os.kill(old.pid, signal.SIGKILL)
    old.wait()
    second = sandbox.run(job, backend="process")
    assert second.stdout == b"2.0\n" and second.error is None, second
    assert process._TEMPLATE.proc is not None and process._TEMPLATE.proc.pid != old.pid
