"""The catalog tests itself: every package's spec, statement and labels (fast), and the
full `validate` of every package on the CPU (slow): reference accepted, starter and each
`known_bad/` file with the verdict it names.

Speed is never asserted here (`validate --perf` prints it; docs/validation-cpu.md records it).
"""
from __future__ import annotations

import io

import pytest

from graders import verdicts
from graders.catalog import BUILTIN_ROOT, package_dirs
from graders.spec import load_spec
from graders.validate import _grade_row, expected_verdict, run_validate, starter_expect, statement_problems, subject_files, validate_package

PACKAGES = package_dirs([BUILTIN_ROOT])
SANDBOXED = [p for p in PACKAGES if load_spec(p).kind not in ("written", "quiz")]
ISSUE_SLUGS = {
    "resnet50-latency", "inference-server-throughput", "fused-attention", "peak-memory",
    "h2d-transfer", "launch-overhead", "profile-diagnosis", "micro-benchmark",
}


def test_the_catalog_has_every_scenario():
    assert ISSUE_SLUGS <= {p.name for p in PACKAGES}


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_spec_loads_and_statement_renders(package):
    spec = load_spec(package)
    assert statement_problems(spec) == ""
    for name in ("hints", "editorial"):
        assert spec.path(name).is_file(), f"{spec.slug}: {spec.files[name]} is missing"


@pytest.mark.parametrize("package", SANDBOXED, ids=lambda p: p.name)
def test_runnable_package_is_complete(package):
    spec = load_spec(package)
    assert spec.path("reference").is_dir() and spec.path("starter").is_dir()
    assert (spec.path("starter") / spec.entry_file).is_file()
    assert (spec.path("reference") / spec.entry_file).is_file()
    assert "cpu" in spec.device_kinds(), "CI has no GPU: every runnable package needs a [devices.cpu] table"
    for kind in spec.device_kinds():
        device = spec.device(kind=kind)
        assert device.targets, f"{spec.slug}: [devices.{kind}] sets no targets"
        assert device.reference_tier is not None, f"{spec.slug}: [devices.{kind}] claims no reference_tier"
        assert starter_expect(spec, kind) in verdicts.ALL


@pytest.mark.parametrize("package", [p for p in PACKAGES if load_spec(p).path("known_bad").is_dir()], ids=lambda p: p.name)
def test_known_bad_files_name_a_verdict(package):
    spec = load_spec(package)
    files = sorted(p for p in spec.path("known_bad").iterdir() if p.is_file())
    assert files, f"{spec.slug}: known_bad/ is empty"
    for path in files:
        for device in spec.device_kinds() or ["cpu"]:
            assert expected_verdict(path, device) in verdicts.ALL, f"{path}: first line must be `# expect: <verdict>`"
    # Every package proves at least one way of failing besides the starter's.
    assert any(expected_verdict(p, "cpu") != verdicts.ACCEPTED for p in files)


def test_single_known_bad_file_comes_with_the_starters_other_files():
    spec = load_spec(BUILTIN_ROOT / "resnet50-latency")
    files = subject_files(spec, spec.path("known_bad") / "no_antialias.py")
    assert set(files) == {"solution.py", "model.py"}
    assert "antialias=True" not in files["solution.py"]


def test_per_device_expectation(tmp_path):
    path = tmp_path / "bad.py"
    path.write_text("# expect: accepted\n# expect-cuda: wrong_answer\nx = 1\n")
    assert expected_verdict(path, "cpu") == "accepted"
    assert expected_verdict(path, "cuda") == "wrong_answer"
    path.write_text("x = 1\n# expect: accepted\n")
    assert expected_verdict(path, "cpu") is None


def test_profile_diagnosis_validates_without_a_sandbox():
    """A quiz is graded on the worker: the whole package validates in well under a second."""
    spec = load_spec(BUILTIN_ROOT / "profile-diagnosis")
    rows = validate_package(spec, device="cpu", backend="process", perf=False, roots=[])
    assert [r.subject for r in rows if not r.ok] == []
    assert {r.subject for r in rows} >= {"statement", "reference", "starter"}


def _validate(slugs: list[str]) -> tuple[int, str]:
    out = io.StringIO()
    return run_validate(slugs=slugs, perf=False, device="cpu", backend="process", roots=[], out=out), out.getvalue()


@pytest.mark.parametrize("slug, subject", [
    ("fused-attention", "calls_sdpa.py"),         # static check, no sandbox
    ("fused-attention", "syntax_error.py"),       # compile error at load
    ("fused-attention", "ignores_causal.py"),     # wrong answer in the correctness step
    ("micro-benchmark", "returns_text.py"),       # runtime error in the benchmark step
])
def test_fast_sandbox_subset(slug, subject):
    """Submissions that fail before any timing: quick end-to-end checks of the sandbox path."""
    spec = load_spec(BUILTIN_ROOT / slug)
    path = spec.path("known_bad") / subject
    row = _grade_row(spec, device="cpu", backend="process", subject=f"known_bad/{subject}", path=path,
                     expected=expected_verdict(path, "cpu"), perf=False, roots=[])
    assert row.ok, row.got


@pytest.mark.slow
@pytest.mark.parametrize("package", SANDBOXED, ids=lambda p: p.name)
def test_package_validates_on_cpu(package):
    status, table = _validate([package.name])
    assert status == 0, table
