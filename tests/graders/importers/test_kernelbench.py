"""KernelBench import: slugs, files, a valid spec, idempotence, and the starter graded for real."""
from pathlib import Path

import pytest

from graders.importers import ImportProblemsError, import_problems, slug_for
from graders.importers.writer import MARKER
from graders.spec import load_spec
from tests.graders.importers import sources
from tests.graders.importers.grading import grade_files, starter_files

RELU = "kb-level1-19-relu"
MATMUL = "kb-level1-2-small-matmul-with-bias"


def run(source: Path, out: Path, **kwargs):
    return import_problems(source=source, fmt="kernelbench", prefix="kb-", out=out, measure=False, **kwargs)


def test_slug_is_prefix_plus_relative_path():
    assert slug_for(prefix="kb-", relative_path="level1/1_Square_matrix_multiplication_") == "kb-level1-1-square-matrix-multiplication"
    assert slug_for(prefix="", relative_path="../../etc/passwd") == "etc-passwd"


def test_imports_problems_and_skips_the_rest(kernelbench_dir, out_dir):
    lines = []
    report = run(kernelbench_dir, out_dir, log=lines.append)
    assert sorted(report.imported) == sorted([RELU, MATMUL])
    assert report.skipped == [("level1/helpers", "not a KernelBench problem: no Model, get_inputs, get_init_inputs")]
    assert "imported 2, skipped 1: level1/helpers" in report.summary()
    assert any(line.startswith("imported kb-level1-19-relu") for line in lines)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([RELU, MATMUL])


def test_package_contents(kernelbench_dir, out_dir):
    run(kernelbench_dir, out_dir)
    package = out_dir / MATMUL
    spec = load_spec(package)
    assert (spec.kind, spec.entry_file, spec.entry_callable) == ("kernel", "solution.py", "hotpath_entry")
    assert spec.graders == ["static", "correctness", "latency"]
    cpu = spec.device(kind="cpu")
    assert cpu.shapes == [[8, 32, 16]] and cpu.params["constant_names"] == ["batch_size", "in_features", "out_features"]
    assert set(spec.device_kinds()) == {"cpu", "cuda"}
    source = (kernelbench_dir / "level1" / "2_Small_matmul_with_bias.py").read_text()
    assert (package / "tests" / "problem.py").read_text() == source
    starter = (package / "starter" / "solution.py").read_text()
    assert "class ModelNew(Model)" in starter and "def hotpath_entry" in starter
    assert (package / "reference" / "solution.py").read_text() == starter
    statement = (package / "statement.md").read_text()
    assert "A linear layer" in statement and "Imported from KernelBench level1/2_Small_matmul_with_bias.py" in statement


def test_rerun_is_idempotent(kernelbench_dir, out_dir):
    run(kernelbench_dir, out_dir)
    before = {p.relative_to(out_dir): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    report = run(kernelbench_dir, out_dir)
    after = {p.relative_to(out_dir): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    assert sorted(report.imported) == sorted([RELU, MATMUL]) and before == after


def test_single_file_source(kernelbench_dir, out_dir):
    report = run(kernelbench_dir / "level1" / "19_ReLU.py", out_dir)
    assert report.imported == ["kb-19-relu"]


def test_refuses_to_replace_a_hand_made_package(kernelbench_dir, out_dir):
    (out_dir / RELU).mkdir(parents=True)
    (out_dir / RELU / "keep.txt").write_text("mine")
    report = run(kernelbench_dir, out_dir)
    assert report.imported == [MATMUL]
    assert "not written by import_problems" in dict(report.skipped)["level1/19_ReLU"]
    assert (out_dir / RELU / "keep.txt").read_text() == "mine"
    assert not (out_dir / MATMUL / "keep.txt").exists() and (out_dir / MATMUL / MARKER).is_file()


def test_hostile_names_stay_inside_out(tmp_path, out_dir):
    source = tmp_path / "evil"
    source.mkdir()
    (source / "..%2f..%2fEscape.py").write_text(sources.RELU)
    (source / "2_Bad bytes.py").write_bytes(b"\xff\xfe not utf-8")
    (source / "3_Syntax.py").write_text("class Model(:\n")
    report = run(source, out_dir)
    assert report.imported == ["kb-2f-2fescape"]
    reasons = dict(report.skipped)
    assert reasons["2_Bad bytes"] == "not UTF-8 text" and "syntax error" in reasons["3_Syntax"]
    assert [p.name for p in out_dir.iterdir()] == ["kb-2f-2fescape"]
    assert not any((tmp_path / name).exists() for name in ("Escape.py", "kb-escape"))


def test_link_outside_path_is_skipped(tmp_path, out_dir):
    source = tmp_path / "linked"
    source.mkdir()
    outside = tmp_path / "secret.py"
    outside.write_text("class Model: pass\ndef get_inputs(): pass\ndef get_init_inputs(): pass\n")
    (source / "1_Link.py").symlink_to(outside)
    report = run(source, out_dir)
    assert report.imported == [] and report.skipped == [("1_Link", "a link to a file outside PATH")]


def test_missing_path_and_unknown_format(tmp_path, out_dir):
    with pytest.raises(ImportProblemsError, match="does not exist"):
        run(tmp_path / "nowhere", out_dir)
    with pytest.raises(ImportProblemsError, match="unknown format 'tritonbench'; known: gpumode, kernelbench"):
        import_problems(source=tmp_path, fmt="tritonbench", out=out_dir)


def test_imported_starter_is_accepted_and_a_wrong_model_is_not(kernelbench_dir, out_dir):
    run(kernelbench_dir, out_dir)
    package = out_dir / MATMUL
    result = grade_files(package, starter_files(package))
    assert result.verdict == "accepted", result.message + result.log
    assert result.metrics["speedup"] > 0

    wrong = starter_files(package)["solution.py"].replace(
        "class ModelNew(Model):", "class ModelNew(Model):\n    def forward(self, x):\n        return super().forward(x) * 1.01\n"
    )
    result = grade_files(package, {"solution.py": wrong})
    assert result.verdict == "wrong_answer", result.message


def test_imported_elementwise_starter_is_accepted(kernelbench_dir, out_dir):
    run(kernelbench_dir, out_dir)
    package = out_dir / RELU
    result = grade_files(package, starter_files(package))
    assert result.verdict == "accepted", result.message + result.log
