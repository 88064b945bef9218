"""Hostile servers against the throughput grader (`tiny-server` fixture): every response is checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.graders.harness_runner import grade_direct
from tests.hostile.test_hostile import check, expectations

SERVERS = sorted((Path(__file__).parent / "servers").glob("*.py"))


@pytest.mark.parametrize("path", SERVERS, ids=lambda p: p.stem)
def test_hostile_server_is_caught(path: Path):
    result = grade_direct("tiny-server", {"server.py": path.read_text()})
    check(result, expectations(path), path.stem)
