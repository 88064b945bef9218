"""Every file under tests/hostile goes through the real path (`graders.pipeline.grade`, the
sandbox backend around the harness) and none is ever graded `internal_error` (ANTI_CHEAT.md,
"self-inflicted platform error"). test_hostile.py and test_hostile_servers.py run the
submissions and servers; this file runs the rest:

- tests/hostile/gpu/*.py on the cpu device (where they apply: whatever CUDA they need fails as
  the candidate's own error, never as the platform's);
- tests/hostile/benchmark/*.py against `micro-benchmark` ("reusing the grader": the trusted
  measuring code is out of the candidate's reach), with the package's reference as the honest
  control, which must still be accepted.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.harness_runner import grade_via_pipeline
from tests.hostile.test_hostile import BACKENDS, check, expectations

HERE = Path(__file__).parent
GRADED_DIRS = ("submissions", "servers", "gpu", "benchmark")
GPU_FILES = sorted((HERE / "gpu").glob("*.py"))
BENCHMARK_FILES = sorted((HERE / "benchmark").glob("*.py"))
REFERENCE = HERE.parents[1] / "challenges" / "micro-benchmark" / "reference" / "bench.py"


def test_every_hostile_file_is_graded_somewhere():
    """Each folder of hostile files is graded by a test here (`GRADED_DIRS`) or by a suite of
    its own that names it (e.g. clocks/ in test_clock_tampering.py); every file states its verdict."""
    suites = " ".join(p.read_text() for p in HERE.glob("test_*.py"))
    for folder in sorted(p for p in HERE.iterdir() if p.is_dir() and any(p.glob("*.py"))):
        assert folder.name in GRADED_DIRS or f'"{folder.name}"' in suites, f"no test grades tests/hostile/{folder.name}/"
    for path in sorted(p for d in GRADED_DIRS for p in (HERE / d).glob("*.py")):
        assert expectations(path).get("expect") not in (None, "internal_error"), path


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", GPU_FILES, ids=lambda p: p.stem)
def test_gpu_file_on_the_cpu_is_never_a_platform_error(path: Path, backend: str):
    result = grade_via_pipeline("tiny-softmax", {"solution.py": path.read_text()}, backend=backend)
    assert result.verdict != "internal_error", f"{path.stem}: {result.verdict} ({result.message})"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", BENCHMARK_FILES, ids=lambda p: p.stem)
def test_reusing_the_grader_is_not_an_answer(path: Path, backend: str):
    result = grade_via_pipeline("micro-benchmark", {"bench.py": path.read_text()}, backend=backend, roots=())
    check(result, expectations(path), path.stem)
    assert "grader's own code" in result.message or "grader's own measuring code" in result.message, result.message


@pytest.mark.parametrize("backend", BACKENDS)
def test_honest_benchmark_is_still_accepted(backend: str):
    result = grade_via_pipeline("micro-benchmark", {"bench.py": REFERENCE.read_text()}, backend=backend, roots=())
    assert result.verdict == "accepted", f"{result.verdict}: {result.message}"
