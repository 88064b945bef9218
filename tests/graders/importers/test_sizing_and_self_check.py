"""Issue 16: imported problems that really grade. Each failure of the first importer, reproduced
on small problems written here in each format: sizes in every form shrunk by measurement in the
sandbox, helper files, the problem's own check with a sign-ambiguous output, a constant
reference flagged, scalar and integer outputs, CUDA-only and `lang: cu` problems, a long name."""
import pytest

from graders.importers import import_problems
from graders.importers.report import CPU, CUDA_ONLY, DEGENERATE, REFUSED
from graders.spec import load_spec
from tests.graders.importers import sources
from tests.graders.importers.grading import grade_files, starter_files


@pytest.fixture(scope="module")
def kernelbench_import(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb16")
    out = root / "out"
    lines = []
    report = import_problems(source=sources.kernelbench_issue16_source(root / "src"), fmt="kernelbench", prefix="kb-", out=out, log=lines.append)
    return report, out, lines


@pytest.fixture(scope="module")
def gpumode_import(tmp_path_factory):
    root = tmp_path_factory.mktemp("gm16")
    out = root / "out"
    report = import_problems(source=sources.gpumode_issue16_source(root / "src"), fmt="gpumode", prefix="gm-", out=out)
    return report, out


def _categories(report) -> dict[str, str]:
    return {row.problem.rsplit("/", 1)[-1]: row.category for row in report.rows}


def test_kernelbench_categories(kernelbench_import):
    report, _, lines = kernelbench_import
    assert _categories(report) == {
        "1_Sizes_in_every_form": CPU, "9_Constant_reference": DEGENERATE, "94_Scalar_output": CPU,
        "51_Integer_output": CPU, "7_Global_in_forward": CPU, sources.LONG_NAME: CPU,
    }, report.table()
    table = report.table()
    assert "| converted | 6 |" in table and f"| {CPU} | 5 |" in table and f"| {DEGENERATE} | 1 |" in table
    assert any("[degenerate]" in line and "constant" in line for line in lines)


def test_sizes_in_every_form_are_found_and_shrunk_for_the_cpu_only(kernelbench_import):
    _, out, _ = kernelbench_import
    spec = load_spec(out / "kb-level2-1-sizes-in-every-form")
    published = {"batch_size": 16, "depth": 64, "height": 1024, "width": 1024, "wide": 32, "tall": 32, "N": 4096, "input_shape": [4096], "hidden": 1024}
    assert spec.device(kind="cuda").params["constants"] == [published]
    cpu = spec.device(kind="cpu").params["constants"][0]
    assert set(cpu) == set(published)
    assert all(cpu[k] < published[k] for k in ("depth", "height", "width", "N"))
    assert cpu["input_shape"] == [cpu["N"]] and cpu["hidden"] == cpu["N"] // 4  # derived sizes follow
    assert cpu["wide"] == cpu["tall"]
    floats = cpu["batch_size"] * cpu["depth"] * cpu["height"] * cpu["width"]
    assert floats * 4 <= 16 * 2**20  # the CPU input budget, against 4 GiB published
    assert "measured in the sandbox" in (out / "kb-level2-1-sizes-in-every-form" / "challenge.toml").read_text()


def test_a_constant_reference_is_marked_degenerate(kernelbench_import):
    report, out, _ = kernelbench_import
    spec = load_spec(out / "kb-level2-9-constant-reference")
    assert "degenerate" in spec.tags
    reason = next(r.reason for r in report.rows if r.slug == spec.slug)
    assert "constant" in reason and "all-zeros answer passes" in reason


def test_the_candidate_sees_the_cpu_sizes_and_a_wrong_model_fails(kernelbench_import):
    _, out, _ = kernelbench_import
    package = out / "kb-level2-7-global-in-forward"
    result = grade_files(package, starter_files(package))
    assert result.verdict == "accepted", result.message + result.log
    wrong = starter_files(package)["solution.py"].replace("return xs[0].reshape(batch_size, -1) * 2.0", "return xs[0].reshape(batch_size, -1) * 2.02")
    assert grade_files(package, {"solution.py": wrong}).verdict == "wrong_answer"


def test_integer_outputs_are_compared_exactly(kernelbench_import):
    _, out, _ = kernelbench_import
    package = out / "kb-level2-51-integer-output"
    off_by_one = starter_files(package)["solution.py"].replace(
        "return torch.argmax(xs[0], dim=self.dim)", "out = torch.argmax(xs[0], dim=self.dim)\n        out[0, 0] += 1\n        return out")
    result = grade_files(package, {"solution.py": off_by_one})
    assert result.verdict == "wrong_answer" and "compared exactly" in result.message


def test_a_long_name_gets_a_stable_short_slug(kernelbench_import):
    report, out, _ = kernelbench_import
    slug = next(r.slug for r in report.rows if r.problem.endswith(sources.LONG_NAME))
    assert len(slug) == 80 and slug.startswith("kb-level2-97-very-long-problem-name")
    assert (out / slug / "challenge.toml").is_file()


def test_gpumode_categories(gpumode_import):
    report, _ = gpumode_import
    assert _categories(report) == {"eigh_py": CPU, "vectorsum_py": CPU, "histogram_py": CPU, "cuda_only_py": CUDA_ONLY, "vectoradd_cu": REFUSED}, report.table()
    reasons = {row.problem.rsplit("/", 1)[-1]: row.reason for row in report.rows}
    assert "needs a GPU" in reasons["cuda_only_py"] and "lang 'cu'" in reasons["vectoradd_cu"]


def test_gpumode_helper_files_are_copied_and_the_runner_is_not(gpumode_import):
    _, out = gpumode_import
    package = out / "gm-linalg-vectorsum-py"
    assert (package / "tests" / "utils.py").read_text() == sources.GM_UTILS
    assert (package / "starter" / "utils.py").is_file() and (package / "starter" / "task.py").is_file()
    assert not (package / "tests" / "eval.py").exists() and not (out / "gm-linalg-eigh-py" / "tests" / "eval.py").exists()
    assert not (out / "gm-linalg-eigh-py" / "starter" / "eval.py").exists()


def test_gpumode_cuda_only_problem_has_a_cuda_table_only(gpumode_import):
    _, out = gpumode_import
    spec = load_spec(out / "gm-linalg-cuda-only-py")
    assert spec.device_kinds() == ["cuda"] and "cuda-only" in spec.tags


def test_gpumode_cases_that_do_not_fit_the_cpu_are_left_out(gpumode_import):
    _, out = gpumode_import
    spec = load_spec(out / "gm-linalg-eigh-py")
    assert spec.device(kind="cpu").params["timed"] == [{"n": 24, "seed": 1}]
    assert len(spec.device(kind="cuda").params["timed"]) == 2


def test_gpumode_own_check_accepts_the_other_sign_and_rejects_a_wrong_answer(gpumode_import):
    _, out = gpumode_import
    package = out / "gm-linalg-eigh-py"
    files = starter_files(package)
    assert "-v" in files["submission.py"]
    result = grade_files(package, files)
    assert result.verdict == "accepted", result.message + result.log  # relative L2 against eigh would reject it
    files["submission.py"] = files["submission.py"].replace("return w, -v", "return w * 1.01, -v")
    result = grade_files(package, files)
    assert result.verdict == "wrong_answer" and "not an eigendecomposition" in result.message
