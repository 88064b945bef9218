"""Class 6 of ANTI_CHEAT.md ("watching the other side") and the sandbox's other leaks, graded
end to end through `graders.pipeline.grade` on each sandbox backend: the submissions print a
`LEAK:` line for each foreign process they can read, each nested user namespace they create,
each host path they see and each weakness of the sealing key they find; none may appear, and
an honest control is still accepted. Skips, saying why, where a backend cannot run here."""
from __future__ import annotations

from pathlib import Path

import pytest

from graders.pipeline import GradeJob, grade
from tests.conftest import REPO_ROOT
from tests.graders.harness_runner import FIXTURES
from tests.hostile.test_hostile import check, expectations
from tests.sandbox.conftest import backend_or_skip

HERE = Path(__file__).parent / "submissions"
CLASS_6 = ["watch_other_side", "nested_userns", "host_paths", "key_brute_force", "honest_naive"]
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("backend", ["process", pytest.param("docker", marks=pytest.mark.docker)])
@pytest.mark.parametrize("name", CLASS_6)
def test_nothing_of_the_other_side_shows(name: str, backend: str):
    backend_or_skip(backend)
    path = HERE / f"{name}.py"
    code = path.read_text()
    if name == "host_paths":  # wherever this checkout is, its path must not show
        code = code.replace("HOST_MARKERS = (", f"HOST_MARKERS = ({str(REPO_ROOT)!r}, ", 1)
    result = grade(GradeJob(slug="tiny-softmax", files={"solution.py": code}, roots=[FIXTURES], backend=backend))
    check(result, expectations(path), name)
    leaks = [line for line in result.log.splitlines() if line.startswith("LEAK:")]
    assert leaks == [], f"{name} on {backend}: {leaks}"
