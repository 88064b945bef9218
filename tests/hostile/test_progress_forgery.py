"""A candidate cannot forge live progress: progress comes only from the supervisor's result
channel, which the candidate's output never reaches (its stdout and stderr are piped into the
log). `submissions/forge_progress.py` prints well-formed progress events everywhere it can; on
both backends, none of them becomes an event, while the real stages still arrive."""
from __future__ import annotations

from pathlib import Path

import pytest

from graders import pipeline
from tests.graders.harness_runner import FIXTURES, require_backend

FORGE = (Path(__file__).parent / "submissions" / "forge_progress.py").read_text()
BACKENDS = [pytest.param("process"), pytest.param("docker", marks=pytest.mark.slow)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_printed_progress_lines_never_become_events(backend):
    require_backend(backend)
    events: list[dict] = []
    result = pipeline.grade(pipeline.GradeJob(slug="tiny-softmax", files={"solution.py": FORGE}, backend=backend,
                                              roots=[FIXTURES], on_progress=events.append))
    assert result.verdict == "accepted", result.message
    assert "FORGED" in result.log  # printed, and kept in the log only
    assert [e["stage"] for e in events][:3] == ["static", "starting", "correctness"]
    assert not [e for e in events if "FORGED" in repr(e) or e["stage"] == "result" or e.get("speedup", 0) > 100]
