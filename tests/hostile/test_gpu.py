"""GPU-only hostile submissions (tests/hostile/gpu/), graded through graders.pipeline.grade on the
process backend; skip where CUDA is absent. scripts/gpu_check.py
runs the same files on a GPU host and records the outcome under docs/."""
from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.graders.harness_runner import grade_via_pipeline
from tests.hostile.test_hostile import check, expectations

GPU_SUBMISSIONS = sorted((Path(__file__).parent / "gpu").glob("*.py"))
pytestmark = [pytest.mark.gpu, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")]


@pytest.fixture(scope="module")
def honest_speedup():
    result = grade_via_pipeline("tiny-softmax", {"solution.py": (Path(__file__).parent / "gpu" / "honest_naive.py").read_text()}, device="cuda")
    assert result.verdict == "accepted", result.message
    return result.metrics["speedup"]


@pytest.mark.parametrize("path", GPU_SUBMISSIONS, ids=lambda p: p.stem)
def test_gpu_hostile_submission(path: Path, honest_speedup):
    meta = expectations(path)
    result = grade_via_pipeline("tiny-softmax", {"solution.py": path.read_text()}, device="cuda")
    check(result, meta, path.stem)
    text = path.read_text()
    for line in text.splitlines():
        if line.startswith("# speedup_vs_honest_at_most:"):
            assert result.metrics["speedup"] <= float(line.split(":")[1]) * honest_speedup
        if line.startswith("# mode:"):
            assert {c["mode"] for c in result.metrics["cases"]} == {line.split(":")[1].strip()}
