"""Shared fixtures for the rubric grader tests: the two written challenges' rubrics."""
from __future__ import annotations

import pytest

from graders.rubric import load_rubric
from graders.rubric.datasets import rubric_path


@pytest.fixture(scope="session")
def debug_rubric():
    return load_rubric(rubric_path("debug-regression"))


@pytest.fixture(scope="session")
def batch_rubric():
    return load_rubric(rubric_path("batch-scaling"))
