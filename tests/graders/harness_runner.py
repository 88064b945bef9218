"""Grade a fixture package through the real path: `graders.pipeline.grade` (static checks,
both bundles, the sandbox backend, the strict result parse, scoring), on a chosen backend.

Tests that need a backend this host lacks skip with the reason (`require_backend`).
"""
from __future__ import annotations

import functools
from pathlib import Path

import pytest

import sandbox
from graders import pipeline
from graders.result import GradeResult

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BACKENDS = ("process", "docker")


def grade_via_pipeline(slug: str, files: dict[str, str], *, device: str = "cpu", backend: str = "process", roots=(FIXTURES,)) -> GradeResult:
    require_backend(backend)
    return pipeline.grade(pipeline.GradeJob(slug=slug, files=files, device=device, backend=backend, roots=list(roots)))


@functools.cache
def backend_ready(backend: str) -> tuple[bool, str]:
    """Whether `backend` can run a job here (the docker backend: engine up and sandbox image built)."""
    try:
        return sandbox.get_backend(backend).available()
    except Exception as exc:  # noqa: BLE001 - no SDK, no engine...
        return False, f"{type(exc).__name__}: {exc}"


def require_backend(backend: str) -> None:
    ok, why = backend_ready(backend)
    if not ok:
        pytest.skip(f"the {backend} sandbox backend is unavailable here: {why}")
