"""The same hostile submissions through the real path: `graders.pipeline.grade()` with the
process sandbox backend around the harness (the result is read from the sandbox's copy of the
supervisor's stdout). Needs the sandbox backend to run on this host; skips, saying why, if not."""
from __future__ import annotations

from pathlib import Path

import pytest

import sandbox
from graders.pipeline import GradeJob, grade
from tests.graders.harness_runner import FIXTURES
from tests.hostile.test_hostile import check, expectations

HERE = Path(__file__).parent / "submissions"
pytestmark = pytest.mark.slow  # the same submissions run through the harness alone in test_hostile.py
END_TO_END = ["honest_naive", "forge_stdout", "forge_stderr", "forge_fds", "forge_result_path", "early_exit_import", "kill_supervisor", "seed_snooping", "call_the_baseline"]


def _backend_ready() -> tuple[bool, str]:
    try:
        backend = sandbox.get_backend("process")
        ok, why = backend.available()
    except Exception as exc:  # noqa: BLE001
        return False, f"{type(exc).__name__}: {exc}"
    return ok, why


@pytest.mark.parametrize("name", END_TO_END)
def test_through_the_pipeline(name: str):
    ok, why = _backend_ready()
    if not ok:
        pytest.skip(f"process sandbox unavailable here: {why}")
    path = HERE / f"{name}.py"
    result = grade(GradeJob(slug="tiny-softmax", files={"solution.py": path.read_text()}, roots=[FIXTURES]))
    check(result, expectations(path), name)
    assert "forged" not in result.message
    if name == "seed_snooping":
        leaks = [line for line in result.log.splitlines() if line.startswith("LEAK:")]
        assert leaks == [], f"the candidate could read: {leaks}"
