"""One rule, one value: the submission limits and validator every entry point uses, the
sandbox caps the pipeline clamps with, and HOTPATH_CHALLENGE_DIRS parsed in one place."""
from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import pytest

import sandbox
from graders import catalog, pipeline
from graders.submission_files import LIMITS, SubmissionFilesError, SubmissionLimits, validate_submission_files


def test_ordinary_files_pass():
    validate_submission_files({"solution.py": "def f():\n    return 1\n", "helper.py": "X = 2\n", "notes.md": "é" * 10})


@pytest.mark.parametrize("files, message", [
    ({}, "at least one file"),
    ([("solution.py", "x")], "at least one file"),
    ({f"f{i}.py": "" for i in range(LIMITS.max_files + 1)}, f"at most {LIMITS.max_files} files"),
    ({"../escape.py": "x"}, "not allowed"),
    ({"/etc/passwd": "x"}, "not allowed"),
    ({"dir\\file.py": "x"}, "not allowed"),
    ({".pth": "x"}, "not allowed"),
    ({"": "x"}, "not allowed"),
    ({"a\x00.py": "x"}, "not allowed"),
    ({"x" * (LIMITS.max_name_chars + 1): "x"}, "not allowed"),
    ({7: "x"}, "not allowed"),
    ({"solution.py": b"bytes"}, "must be text"),
    ({"solution.py": None}, "must be text"),
    ({"solution.py": "ok\x00"}, "NUL"),
    ({"solution.py": "x" * (LIMITS.max_file_bytes + 1)}, "larger than"),
    ({"solution.py": "é" * (LIMITS.max_file_bytes // 2 + 1)}, "larger than"),  # bytes, not characters
    ({f"f{i}.py": "x" * LIMITS.max_file_bytes for i in range(3)}, "in all"),
])
def test_hostile_files_are_refused_with_a_reason(files, message):
    with pytest.raises(SubmissionFilesError, match=message):
        validate_submission_files(files)


def test_the_limit_is_inclusive_and_a_tighter_limits_object_can_be_passed():
    validate_submission_files({f"f{i}.py": "" for i in range(LIMITS.max_files)})
    validate_submission_files({"solution.py": "x" * LIMITS.max_file_bytes})
    with pytest.raises(SubmissionFilesError, match="at most 1 files"):
        validate_submission_files({"a.py": "", "b.py": ""}, limits=SubmissionLimits(max_files=1))


def test_the_pipeline_refuses_what_the_validator_refuses():
    job = pipeline.GradeJob(slug="vector-add", files={f"f{i}.py": "" for i in range(LIMITS.max_files + 1)},
                            roots=[Path(__file__).resolve().parents[1] / "fixtures" / "challenges"])
    with pytest.raises(pipeline.JobError, match=f"at most {LIMITS.max_files} files"):
        pipeline.grade(job)


def test_no_second_file_limit_or_caps_in_the_pipeline():
    source = inspect.getsource(pipeline)
    assert "MAX_FILES" not in source and "CAPS" not in source and "SandboxLimits(wall_s=900" not in source
    assert "server_caps()" in source


def test_the_sandbox_caps_are_one_object_with_per_host_overrides(monkeypatch):
    assert sandbox.server_caps() == sandbox.api.DEFAULT_CAPS
    monkeypatch.setenv("HOTPATH_SANDBOX_MAX_WALL_S", "120")
    asked = sandbox.SandboxLimits(wall_s=600.0, memory_mb=1 << 20)
    clamped = asked.clamped(sandbox.server_caps())
    assert clamped.wall_s == 120.0 and clamped.memory_mb == sandbox.api.DEFAULT_CAPS.memory_mb
    assert dataclasses.replace(clamped) == clamped


@pytest.mark.parametrize("value, expected", [
    ("", []),
    ("/a", ["/a"]),
    ("/a:/b", ["/a", "/b"]),
    ("/a::/b:", ["/a", "/b"]),
    ("/with,comma:/b", ["/with,comma", "/b"]),  # `:` separates; a comma is part of a path
])
def test_challenge_dirs_are_colon_separated(value, expected):
    assert catalog.configured_dirs(value) == [Path(p) for p in expected]


def test_challenge_roots_take_the_configured_dirs_once(monkeypatch, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    monkeypatch.setenv("HOTPATH_CHALLENGE_DIRS", f"{a}:{b}")
    roots = catalog.challenge_roots([a])  # the Django setting passes the same list back in
    assert roots == [catalog.BUILTIN_ROOT, catalog.IMPORTED_ROOT, a.resolve(), b.resolve()]
