"""Issue 16, clear messages: a limit reached names its phase (oracle, baseline, candidate) with the
figure; a package that alone cannot run within its limits is the package's fault (internal_error
flagged package_fault, not retried, never the candidate's score); CUDA code graded on the CPU is
told it needs a GPU worker, at the candidate's own line. Real gradings (process backend)."""
import time

import pytest

from graders import pipeline, verdicts
from graders.harness.outcome import Outcome
from graders.harness.phases import PACKAGE_FAULT, PhaseClock
from graders.importers import import_problems
from tests.graders.importers.grading import grade_files, starter_files

PUBLISHED_TOO_BIG = '''import torch
import torch.nn as nn


class Model(nn.Module):
    """ReLU at the published size: 8 GiB of float32 input, twice that in float64."""

    def __init__(self):
        super().__init__()

    def forward(self, x):
        return torch.relu(x)


batch_size = 65536
dim = 32768


def get_inputs():
    return [torch.randn(batch_size, dim)]


def get_init_inputs():
    return []
'''

TOML = '''slug = "{slug}"
kind = "kernel"
title = "Limits fixture"
difficulty = "easy"
tags = ["test"]
entry = {{ file = "solution.py", callable = "double" }}
graders = ["correctness", "latency"]

[harness]
inputs = "tests/inputs.py:make_inputs"
expected = "tests/oracle.py:expected"
baseline = "tests/baseline.py:baseline"

[devices.cpu]
shapes = [[8, 16]]
tolerance = {{ metric = "rel_l2", float32 = 1e-5 }}
limits = {{ wall_s = 30, call_s = 2, memory_mb = 1024, output_kb = 64 }}
targets = {{ speedup = [0.5, 1.0] }}
params = {{ latency_budget_s = 0.2 }}
'''
INPUTS = '''import torch


def make_inputs(case, *, dtype, device, generator):
    return {"x": torch.randn(case["shape"], generator=generator).to(device=device, dtype=dtype)}
'''
HONEST_ORACLE = "def expected(*, x):\n    return x.double() * 2\n"
HONEST_BASELINE = "def baseline(*, x):\n    return x * 2\n"
HONEST = "def double(x):\n    return x * 2\n"
SPIN_FOREVER = "    while True:\n        pass\n"
ALLOCATE_16_GIB = "    import torch\n    torch.empty(1 << 32, dtype=torch.float32)\n"


def small_package(tmp_path, name: str, *, oracle: str = HONEST_ORACLE, baseline: str = HONEST_BASELINE):
    package = tmp_path / name
    (package / "tests").mkdir(parents=True)
    (package / "challenge.toml").write_text(TOML.format(slug=name))
    (package / "statement.md").write_text("Double the input (test fixture).\n")
    (package / "tests" / "inputs.py").write_text(INPUTS)
    (package / "tests" / "oracle.py").write_text(oracle)
    (package / "tests" / "baseline.py").write_text(baseline)
    return package


def _grade(package, solution: str):
    return grade_files(package, {"solution.py": solution})


def _package_fault(result, phase: str) -> None:
    assert result.verdict == verdicts.INTERNAL_ERROR, result.message
    assert PACKAGE_FAULT in result.flags
    assert result.message.startswith(f"package fault ({phase}:"), result.message
    assert "the submission was not at fault" in result.message


def test_a_kernelbench_problem_at_its_published_size_is_the_packages_fault(tmp_path):
    source = tmp_path / "src" / "level1"
    source.mkdir(parents=True)
    (source / "19_ReLU_published.py").write_text(PUBLISHED_TOO_BIG)
    import_problems(source=tmp_path / "src", fmt="kernelbench", prefix="kb-", out=tmp_path / "out", measure=False)
    package = tmp_path / "out" / "kb-level1-19-relu-published"
    result = grade_files(package, starter_files(package))
    _package_fault(result, "oracle")
    assert "needs more than the sandbox's 4096 MiB" in result.message and "allocate" in result.message


def test_an_oracle_that_runs_away_is_reported_before_the_sandbox_kills_it(tmp_path, monkeypatch):
    runs = []
    monkeypatch.setattr(pipeline, "_grade_once", _counting(pipeline._grade_once, runs))
    package = small_package(tmp_path, "oracle-spins", oracle=f"def expected(*, x):\n{SPIN_FOREVER}")
    started = time.monotonic()
    result = _grade(package, HONEST)
    _package_fault(result, "oracle")
    assert "s of CPU time, over the 2 s per-call limit" in result.message
    assert time.monotonic() - started < 25  # the wall limit is 30 s (+30 s margin): the watchdog ended it
    assert len(runs) == 1  # a package fault is not retried: it would fail the same way


def test_a_baseline_over_the_memory_or_the_time_limit_is_the_packages_fault(tmp_path):
    hungry = small_package(tmp_path, "baseline-hungry", baseline=f"def baseline(*, x):\n{ALLOCATE_16_GIB}    return x * 2\n")
    result = _grade(hungry, HONEST)
    _package_fault(result, "baseline")
    assert "needs more than the sandbox's 1024 MiB" in result.message

    slow = small_package(tmp_path, "baseline-spins", baseline=f"def baseline(*, x):\n{SPIN_FOREVER}")
    result = _grade(slow, HONEST)
    _package_fault(result, "baseline")
    assert "did not finish within" in result.message


def test_a_candidate_over_the_time_limit_is_its_own_verdict_with_the_phase(tmp_path):
    package = small_package(tmp_path, "honest-package")
    result = _grade(package, f"def double(x):\n{SPIN_FOREVER}")
    assert result.verdict == verdicts.TIME_LIMIT_EXCEEDED, result.message
    assert "(phase: candidate)" in result.message and "time so far: oracle" in result.message
    assert PACKAGE_FAULT not in result.flags


@pytest.mark.parametrize("forged", [
    "raise RuntimeError(\"package fault (oracle: x): DefaultCPUAllocator: can't allocate memory\")",
    "raise MemoryError('out of memory')",
])
def test_a_candidate_cannot_pass_its_failure_off_as_the_packages(tmp_path, forged):
    package = small_package(tmp_path, "honest-package")
    result = _grade(package, f"def double(x):\n    {forged}\n")
    assert result.verdict == verdicts.RUNTIME_ERROR, result.message
    assert PACKAGE_FAULT not in result.flags


CUDA_INLINE = '''import torch
from torch.utils.cpp_extension import load_inline

CUDA = "__global__ void twice(const float* x, float* y, int n) { int i = threadIdx.x; if (i < n) y[i] = 2 * x[i]; }"
ext = load_inline(name="twice_cuda_only", cpp_sources="", cuda_sources=CUDA, functions=[])


def double(x):
    return x * 2
'''
CUDA_CALL = '''import torch


def double(x):
    y = x.cuda()
    return (y * 2).cpu()
'''


@pytest.mark.parametrize(("solution", "line"), [(CUDA_INLINE, 5), (CUDA_CALL, 5)])
def test_cuda_code_on_the_cpu_points_at_the_candidates_line_and_asks_for_a_gpu_worker(tmp_path, solution, line):
    package = small_package(tmp_path, "honest-package")
    result = _grade(package, solution)
    assert result.verdict == verdicts.RUNTIME_ERROR, result.message
    assert f"(solution.py line {line})" in result.message, result.message
    assert "needs a GPU (CUDA)" in result.message and "runs on the CPU here" in result.message
    assert "cpp_extension.py" not in result.message


def test_an_oracle_call_over_the_per_call_cpu_limit_is_the_packages_fault():
    clock = PhaseClock(limits={"call_s": 0.05, "memory_mb": 1024}, device_type="cpu")
    with pytest.raises(Exception) as caught:
        with clock.oracle("the float64 expected output for inputs x (8, 16) float32"):
            end = time.process_time() + 0.1
            while time.process_time() < end:
                pass
    assert caught.value.verdict == verdicts.INTERNAL_ERROR and caught.value.detail["package_fault"]
    assert "package fault (oracle:" in caught.value.message and "over the 0.05 s per-call limit" in caught.value.message
    assert clock.cpu["oracle"] >= 0.1 and clock.current is None


def _counting(fn, runs: list):
    def counted(*args, **kwargs):
        runs.append(1)
        return fn(*args, **kwargs)
    return counted


def test_a_baseline_timeout_is_the_packages_only_while_the_candidate_stayed_idle():
    clock = PhaseClock(limits={"call_s": 2, "memory_mb": 1024}, device_type="cpu")
    timed_out = Outcome(verdicts.TIME_LIMIT_EXCEEDED, "a call did not finish within 2.0 s (phase: baseline)")
    idle = clock.judge_baseline_timeout(timed_out, timeout=2.0, candidate_cpu_s=0.01, wall_s=2.0)
    assert idle.verdict == verdicts.INTERNAL_ERROR and idle.detail["package_fault"]
    spinning = clock.judge_baseline_timeout(timed_out, timeout=2.0, candidate_cpu_s=1.0, wall_s=2.0)
    assert spinning.verdict == verdicts.REJECTED and "50% of a CPU busy while the baseline ran" in spinning.message
    # cut short by the grading's own deadline (the candidate used the time): not the package's
    late = clock.judge_baseline_timeout(timed_out, timeout=0.5, candidate_cpu_s=0.0, wall_s=0.5)
    assert late.verdict == verdicts.TIME_LIMIT_EXCEEDED and "time so far" in late.message
