"""Grade an imported package with the real pipeline on the CPU (process backend)."""
from __future__ import annotations

from pathlib import Path

from graders import pipeline
from graders.spec import load_spec


def grade_files(package: Path, files: dict[str, str]):
    spec = load_spec(package)
    job = pipeline.GradeJob(slug=spec.slug, files=files, device="cpu", roots=[package.parent])
    return pipeline.grade(job)


def starter_files(package: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((package / "starter").iterdir()) if p.is_file()}
