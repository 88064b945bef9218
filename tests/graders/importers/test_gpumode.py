"""GPU MODE import: problem folders, task.yml cases, a valid spec, and the starter graded for real."""
import pytest

from graders.importers import ImportProblemsError, import_problems
from graders.spec import load_spec
from tests.graders.importers.grading import grade_files, starter_files

SLUG = "gm-pmpp-vectoradd-py"


def run(source, out):
    return import_problems(source=source, fmt="gpumode", prefix="gm-", out=out, measure=False)  # sizing: test_sizing_and_self_check.py


def test_imports_problem_folders_and_skips_broken_ones(gpumode_dir, out_dir):
    report = run(gpumode_dir, out_dir)
    assert report.imported == [SLUG]
    assert report.skipped == [("pmpp/broken_py", "not a GPU MODE problem: reference.py has no ref_kernel, generate_input")]
    assert [p.name for p in out_dir.iterdir()] == [SLUG]


def test_package_contents(gpumode_dir, out_dir):
    run(gpumode_dir, out_dir)
    package = out_dir / SLUG
    spec = load_spec(package)
    assert (spec.entry_file, spec.entry_callable) == ("submission.py", "hotpath_entry")
    assert spec.harness["check"] == "tests/oracle.py:check"
    cpu, cuda = spec.device(kind="cpu"), spec.device(kind="cuda")
    assert cpu.params["timed"] == [{"size": 17, "seed": 4242}, {"size": 33, "seed": 5236}]
    assert cuda.params["timed"] == [{"size": 64, "seed": 54352}] and len(cuda.params["checked"]) == 2
    for name in ("reference.py", "task.yml"):
        assert (package / "tests" / name).read_text() == (gpumode_dir / "pmpp" / "vectoradd_py" / name).read_text()
    submission = (package / "starter" / "submission.py").read_text()
    assert submission.startswith("def custom_kernel(data):") and "def hotpath_entry" in submission
    statement = (package / "statement.md").read_text()
    assert "vector addition" in statement and "Imported from GPU MODE pmpp/vectoradd_py" in statement


def test_without_submission_the_starter_calls_the_reference(gpumode_dir, out_dir):
    (gpumode_dir / "pmpp" / "vectoradd_py" / "submission.py").unlink()
    run(gpumode_dir, out_dir)
    starter = out_dir / SLUG / "starter"
    assert sorted(p.name for p in starter.iterdir()) == ["reference.py", "submission.py"]
    assert "from reference import ref_kernel" in (starter / "submission.py").read_text()


def test_rerun_is_idempotent(gpumode_dir, out_dir):
    run(gpumode_dir, out_dir)
    before = {p.relative_to(out_dir): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}
    run(gpumode_dir, out_dir)
    assert before == {p.relative_to(out_dir): p.read_bytes() for p in out_dir.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("task", "reason"),
    [
        ("tests: [", "task.yml is not valid YAML"),
        ("- just a list", "task.yml is not a mapping"),
        ("lang: cu\ntests: [{size: 1}]", "lang 'cu' is not supported"),
        ("tests: [{size: null}]", "tests must be a list of mappings of plain values"),
        ("tests: []", "task.yml lists no tests"),
    ],
)
def test_bad_task_yml_is_skipped_with_its_reason(gpumode_dir, out_dir, task, reason):
    (gpumode_dir / "pmpp" / "vectoradd_py" / "task.yml").write_text(task)
    report = run(gpumode_dir, out_dir)
    assert report.imported == [] and reason in dict(report.skipped)["pmpp/vectoradd_py"]


def test_a_file_path_is_not_a_gpumode_source(gpumode_dir, out_dir):
    report = run(gpumode_dir / "pmpp" / "vectoradd_py" / "reference.py", out_dir)
    assert report.imported == [] and "must be a folder" in report.skipped[0][1]
    with pytest.raises(ImportProblemsError):
        run(gpumode_dir / "missing", out_dir)


def test_imported_starter_is_accepted_and_a_wrong_kernel_is_not(gpumode_dir, out_dir):
    run(gpumode_dir, out_dir)
    package = out_dir / SLUG
    result = grade_files(package, starter_files(package))
    assert result.verdict == "accepted", result.message + result.log
    wrong = starter_files(package)["submission.py"].replace("return a + b", "return a - b")
    result = grade_files(package, {"submission.py": wrong})
    assert result.verdict == "wrong_answer", result.message
    assert "mismatch found" in result.message  # the problem's own check_implementation spoke
