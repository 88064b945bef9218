"""GPU MODE reference-kernels: one problem per folder holding `reference.py` and `task.yml`."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Iterator

import yaml

from graders.importers import common, tomlgen
from graders.importers.base import Problem, Sizing, Skipped, harness_stub, humanize, register_format, template

MARKERS = ("reference.py", "task.yml")
REQUIRED = ("ref_kernel", "generate_input")
TOLERANCE_CPU = {"metric": "custom", "float32": 1e-3}  # used only where check_implementation is not
TOLERANCE_CUDA = {"metric": "custom", "float32": 1e-2}
SCALARS = (bool, int, float, str)


@register_format
class GpuMode:
    name = "gpumode"
    label = "GPU MODE"

    def find(self, source: Path) -> Iterator[Problem | Skipped]:
        if not source.is_dir():
            yield Skipped(source.name, "a GPU MODE PATH must be a folder of problem folders")
            return
        folders = sorted({p.parent for p in common.walk_files(source) if p.name in MARKERS})
        for folder in folders:
            relative = folder.relative_to(source).as_posix() if folder != source else source.name
            yield self._problem(folder, root=source, relative=relative)

    def _problem(self, folder: Path, *, root: Path, relative: str) -> Problem | Skipped:
        try:
            missing = [m for m in MARKERS if not (folder / m).is_file()]
            if missing:
                raise common.NotAProblem(f"not a GPU MODE problem: no {', '.join(missing)}")
            files = {p.name: common.read_source(p, root=root) for p in sorted(folder.iterdir()) if p.is_file() and p.suffix in (".py", ".yml", ".yaml")}
            meta = analyse(files)
            files.update(helper_files(meta.pop("task_files"), folder=folder, root=root, present=files))
            files.pop(meta.pop("runner"), None)  # the source's own runner: Hotpath's harness takes its place
        except common.NotAProblem as exc:
            return Skipped(relative, str(exc))
        return Problem(relative_path=relative, source=folder, meta={**meta, "files": files})

    def sizing(self, answer: dict) -> Sizing:
        return sizing_from(answer)

    def package(self, problem: Problem, *, slug: str, sizing: Sizing | None = None) -> dict[str, str]:
        sources = problem.meta["files"]
        solution = starter_files(sources)
        files = {
            "challenge.toml": challenge_toml(problem, slug=slug, sizing=sizing),
            "statement.md": statement(problem),
            **{f"starter/{name}": text for name, text in solution.items()},
            **{f"reference/{name}": text for name, text in solution.items()},
            **{f"tests/{name}": text for name, text in sources.items() if name != "submission.py"},
            "tests/gpumode_adapter.py": template("gpumode_adapter.py"),
            "tests/inputs.py": harness_stub(adapter="gpumode_adapter", names=["cases", "make_inputs"], what="Hidden inputs"),
            "tests/oracle.py": harness_stub(adapter="gpumode_adapter", names=["expected", "check"], what="The float64 oracle and the source's check"),
            "tests/baseline.py": harness_stub(adapter="gpumode_adapter", names=["baseline"], what="The timed baseline, the source ref_kernel"),
        }
        return files


def analyse(files: dict[str, str]) -> dict[str, Any]:
    tree = common.parse_python(files["reference.py"], name="reference.py")
    defined = common.top_level_names(tree) | _imported_names(tree)
    missing = [n for n in REQUIRED if n not in defined]
    if missing:
        raise common.NotAProblem(f"not a GPU MODE problem: reference.py has no {', '.join(missing)}")
    task = _task(files["task.yml"])
    if str(task.get("lang", "py")) != "py":
        raise common.NotAProblem(f"task.yml lang {task.get('lang')!r} is not supported (only py): CUDA C++ sources graded through eval.py have no Hotpath harness yet")
    tests, benchmarks = _kwargs_list(task, "tests"), _kwargs_list(task, "benchmarks")
    if not tests:
        raise common.NotAProblem("task.yml lists no tests")
    return {"description": str(task.get("description") or ""), "tests": tests, "benchmarks": benchmarks,
            "task_files": _task_files(task), "runner": _runner(task)}


def _task_files(task: dict) -> dict[str, str]:
    """task.yml `files`: name in the package -> source path relative to the problem folder,
    without the submission placeholder and the runner (`config.main`, Hotpath's harness replaces it)."""
    main = _runner(task)
    listed = task.get("files") or []
    if not isinstance(listed, list):
        raise common.NotAProblem("task.yml files must be a list")
    found = {}
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("source"), str):
            raise common.NotAProblem("task.yml files entries need a name and a source")
        if item["source"] != "@SUBMISSION@" and item["name"] != main:
            found[item["name"]] = item["source"]
    return found


def _runner(task: dict) -> str:
    config = task.get("config")
    return str(config.get("main", "eval.py")) if isinstance(config, dict) else "eval.py"


def helper_files(listed: dict[str, str], *, folder: Path, root: Path, present: dict[str, str]) -> dict[str, str]:
    """The helper files task.yml names (e.g. `../utils.py`), read from inside PATH only."""
    files = {}
    for name, source in listed.items():
        if "/" in name or name.startswith(".") or not name.endswith(".py"):
            raise common.NotAProblem(f"task.yml names a file {name!r} Hotpath cannot place")
        path = (folder / source)
        if not path.resolve().is_relative_to(root.resolve()):
            raise common.NotAProblem(f"task.yml file {source!r} is outside PATH")
        if not path.is_file():
            if name in present:
                continue
            raise common.NotAProblem(f"task.yml file {source!r} does not exist")
        files[name] = common.read_source(path, root=root)
    return files


def sizing_from(answer: dict) -> Sizing:
    """The probe's answer as the CPU cases, or the reason there are none (CUDA only, too big)."""
    if answer.get("ok"):
        how = "task.yml tests that fit" + (f", {answer['dropped']} too large left out" if answer.get("dropped") else "")
        if answer.get("scaled"):
            how = "the smallest task.yml test scaled down: none fits as published"
        return Sizing(cpu_cases=answer["cases"], note=common.measured_note(how=how), figures=common.figures(_slowest(answer["measured"])))
    if answer.get("cuda_only"):
        return Sizing(note=f"CUDA only, no CPU table: {answer['reason']}.", tags=("cuda-only",))
    return Sizing(note=f"No CPU table: {answer['reason']}.")


def _slowest(measured: list[dict]) -> dict:
    return max(measured, key=lambda m: m["seconds"])


def _imported_names(tree: ast.Module) -> dict[str, ast.AST]:
    """`from utils import make_match_reference as check_implementation`-style definitions count too."""
    names: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            names.update({(a.asname or a.name): node for a in node.names})
        elif isinstance(node, ast.Assign):
            names.update({t.id: node for t in node.targets if isinstance(t, ast.Name)})
    return names


def _task(text: str) -> dict:
    try:
        task = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise common.NotAProblem(f"task.yml is not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(task, dict):
        raise common.NotAProblem("task.yml is not a mapping")
    return task


def _kwargs_list(task: dict, key: str) -> list[dict]:
    value = task.get(key) or []
    if not isinstance(value, list) or not all(isinstance(kw, dict) and all(_plain(v) for v in kw.values()) for kw in value):
        raise common.NotAProblem(f"task.yml {key} must be a list of mappings of plain values")
    return [{str(k): v for k, v in kw.items()} for kw in value]


def _plain(value: Any) -> bool:
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return isinstance(value, SCALARS)


def starter_files(sources: dict[str, str]) -> dict[str, str]:
    """The source's submission.py (else one calling ref_kernel), its helpers, and the entry adapter."""
    helpers = {n: t for n, t in sources.items() if n.endswith(".py") and n not in ("submission.py", "reference.py")}
    if "submission.py" in sources:
        body = sources["submission.py"].rstrip() + "\n"
    else:
        helpers["reference.py"] = sources["reference.py"]
        body = '"""Starter: calls the problem\'s reference. Correct, and as slow as it: make it faster."""\nfrom reference import ref_kernel\n\n\ndef custom_kernel(data):\n    return ref_kernel(data)\n'
    return {**helpers, "submission.py": body + "\n\n" + template("gpumode_entry.py")}


def title_of(problem: Problem) -> str:
    folder, _, name = problem.relative_path.rpartition("/")
    for suffix in ("_py", "-py"):
        name = name.removesuffix(suffix)
    return f"{humanize(name)} (GPU MODE{' ' + folder if folder else ''})"


def challenge_toml(problem: Problem, *, slug: str, sizing: Sizing | None = None) -> str:
    tests, benchmarks = problem.meta["tests"], problem.meta["benchmarks"]
    cpu_cases = tests if sizing is None else sizing.cpu_cases
    cuda_params = {"timed": benchmarks or tests, "checked": tests if benchmarks else [], "latency_budget_s": common.CUDA_LATENCY_BUDGET_S}
    tags = ["gpumode", *([problem.relative_path.split("/", 1)[0]] if "/" in problem.relative_path else []), *(sizing.tags if sizing else [])]
    top = common.package_top(slug=slug, title=title_of(problem), difficulty="medium", tags=tags, entry_file="submission.py")
    tables = {"harness": common.harness_table(with_check=True)}
    if cpu_cases is not None:
        cpu_params = {"timed": cpu_cases, "checked": [], "latency_budget_s": common.CPU_LATENCY_BUDGET_S}
        tables["devices.cpu"] = common.device_table(shapes=[], hidden_shapes=[], tolerance=TOLERANCE_CPU, limits=common.CPU_LIMITS, params=cpu_params)
    tables["devices.cuda"] = common.device_table(shapes=[], hidden_shapes=[], tolerance=TOLERANCE_CUDA, limits=common.CUDA_LIMITS, params=cuda_params)
    header = (
        f"Imported by `manage.py import_problems --format gpumode` from {problem.relative_path}.\n"
        "Cases are generate_input() keyword arguments from task.yml: params.timed are checked and\n"
        "timed, params.checked only checked; every `seed` is replaced by a secret one.\n"
        + (sizing.note if sizing else "CPU cases: task.yml tests as published (not measured).")
    )
    return tomlgen.document(top, tables, header=header)


def statement(problem: Problem) -> str:
    def cases(kwargs_list: list[dict]) -> str:
        return "; ".join(", ".join(f"`{k}={v}`" for k, v in kw.items() if k != "seed") for kw in kwargs_list) or "as tested"

    submit = """\
`submission.py` defines `custom_kernel(data)`, taking `data` as the problem's
`generate_input` makes it and returning what `ref_kernel(data)` returns (the starter is the
problem's own submission, or a call to the reference). Keep the `hotpath_entry` block at the
end of the file: the grader calls it. Submit the helper files (`task.py`, `utils.py`) with it
where your code imports them."""
    graded = common.GRADED.format(
        comparison="the problem's `check_implementation` where it has one, else relative L2 error against `ref_kernel` in float64",
        tiers=", ".join(f"{t:g}x" for t in common.TARGETS["speedup"]),
        cpu=cases(problem.meta["tests"]), cuda=cases(problem.meta["benchmarks"] or problem.meta["tests"]),
    )
    return common.statement(title=title_of(problem), description=problem.meta["description"], submit=submit, graded=graded,
                            origin=f"Imported from GPU MODE {problem.relative_path}")
