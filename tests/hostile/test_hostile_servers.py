"""Hostile servers against the throughput grader (`tiny-server` fixture), through
`graders.pipeline.grade` on both sandbox backends: every response is checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.harness_runner import grade_via_pipeline
from tests.hostile.test_hostile import BACKENDS, check, expectations

SERVERS = sorted((Path(__file__).parent / "servers").glob("*.py"))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("path", SERVERS, ids=lambda p: p.stem)
def test_hostile_server_is_caught(path: Path, backend: str):
    result = grade_via_pipeline("tiny-server", {"server.py": path.read_text()}, backend=backend)
    check(result, expectations(path), path.stem)
