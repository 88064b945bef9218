"""A submission that learnt one grading's secret (a leak, a replayed run) and is fast only on the
inputs it produces (tests/hostile/contests/). Graded with that secret (GradeJob.seed, which only
trusted callers set) it looks fast; graded as every grading is, with a secret the supervisor
draws afresh inside the sandbox, its real speed shows. Contest re-verification relies on this
(tests/platform/contests/test_reverification.py); here on both sandbox backends, through
`graders.pipeline.grade`."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from graders.pipeline import GradeJob, grade
from tests.conftest import REPO_ROOT
from tests.hostile.test_hostile import BACKENDS, check, expectations
from tests.sandbox.conftest import backend_or_skip

HERE = Path(__file__).parent / "contests"
ROOTS = [REPO_ROOT / "tests" / "fixtures" / "challenges"]
FILES = sorted(HERE.glob("*.py"))


def _seen_secret(path: Path) -> int:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a test's own file: its module-level code is harmless here
    return module.SEEN_SECRET


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_fresh_secret_shows_the_speed_a_leaked_one_hid(path: Path, backend: str):
    backend_or_skip(backend)
    files = {"solution.py": path.read_text()}
    seen = grade(GradeJob(slug="vector-add", files=files, roots=ROOTS, backend=backend, seed=_seen_secret(path)))
    fresh = grade(GradeJob(slug="vector-add", files=files, roots=ROOTS, backend=backend))
    for result in (seen, fresh):
        check(result, expectations(path), path.stem)
    assert fresh.metrics["speedup"] < 0.5 * seen.metrics["speedup"], (seen.metrics["speedup"], fresh.metrics["speedup"])
