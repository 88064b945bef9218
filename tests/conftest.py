"""Shared fixtures. Tests mirror the tree: tests/graders, tests/sandbox, tests/platform/<app>..."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_CHALLENGES = REPO_ROOT / "tests" / "fixtures" / "challenges"


@pytest.fixture
def fixture_roots() -> list[Path]:
    return [FIXTURE_CHALLENGES]


@pytest.fixture
def package_copy(tmp_path):
    """Copy a fixture package somewhere writable, to edit it in a test."""

    def copy(slug: str) -> Path:
        target = tmp_path / "roots" / slug
        shutil.copytree(FIXTURE_CHALLENGES / slug, target)
        return target

    return copy
