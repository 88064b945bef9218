"""KernelBench: one problem per `.py` file defining `Model`, `get_inputs()` and `get_init_inputs()`."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator

from graders.importers import common, sizes, tomlgen
from graders.importers.base import Problem, Sizing, Skipped, harness_stub, humanize, register_format, template

REQUIRED = ("Model", "get_inputs", "get_init_inputs")
TOLERANCE_CPU = {"metric": "rel_l2", "float32": 1e-4}
TOLERANCE_CUDA = {"metric": "rel_l2", "float32": 1e-2}  # KernelBench's own atol/rtol; TF32 passes
DIFFICULTY = {"level1": "easy", "level2": "medium", "level3": "hard"}


@register_format
class KernelBench:
    name = "kernelbench"
    label = "KernelBench"

    def find(self, source: Path) -> Iterator[Problem | Skipped]:
        if source.is_file():
            yield self._problem(source, root=source.parent)
            return
        for path in common.walk_files(source):
            if path.suffix == ".py" and path.name != "__init__.py":
                yield self._problem(path, root=source)

    def _problem(self, path: Path, *, root: Path) -> Problem | Skipped:
        relative = path.relative_to(root).with_suffix("").as_posix()
        try:
            text = common.read_source(path, root=root)
            meta = analyse(text, name=path.name)
        except common.NotAProblem as exc:
            return Skipped(relative, str(exc))
        return Problem(relative_path=relative, source=path, meta={**meta, "text": text})

    def sizing(self, answer: dict) -> Sizing:
        return sizing_from(answer)

    def package(self, problem: Problem, *, slug: str, sizing: Sizing | None = None) -> dict[str, str]:
        meta = problem.meta
        solution = starter_solution(problem)
        return {
            "challenge.toml": challenge_toml(problem, slug=slug, sizing=sizing),
            "statement.md": statement(problem),
            "starter/solution.py": solution,
            "reference/solution.py": solution,
            "tests/problem.py": meta["text"],
            "tests/kernelbench_adapter.py": template("kernelbench_adapter.py"),
            "tests/inputs.py": harness_stub(adapter="kernelbench_adapter", names=["cases", "make_inputs"], what="Hidden inputs"),
            "tests/oracle.py": harness_stub(adapter="kernelbench_adapter", names=["expected"], what="The float64 oracle"),
            "tests/baseline.py": harness_stub(adapter="kernelbench_adapter", names=["baseline"], what="The timed baseline, the source Model"),
        }


def sizing_from(answer: dict) -> Sizing:
    """The probe's answer as the CPU table's sizes, or the reason there is none."""
    if answer.get("ok"):
        note = common.measured_note(how=f"the published sizes shrunk in {answer['steps']} step(s), {answer.get('how', 'the largest halved first')}")
        tolerance = common.cpu_tolerance(answer["measured"].get("float32_error"))
        return Sizing(cpu_constants=answer["constants"], note=note, figures=common.figures(answer["measured"]), cpu_tolerance=tolerance)
    return Sizing(note=f"No CPU table: {answer['reason']}.")


def analyse(text: str, *, name: str) -> dict:
    """What the package needs from the source, read without running it."""
    tree = common.parse_python(text, name=name)
    defined = common.top_level_names(tree)
    missing = [n for n in REQUIRED if n not in defined]
    if missing:
        raise common.NotAProblem(f"not a KernelBench problem: no {', '.join(missing)}")
    model = defined["Model"]
    constants = sizes.module_constants(tree)
    return {
        "docstring": ast.get_docstring(tree) or ast.get_docstring(model) or "",
        "constants": sizes.size_values(constants),
        "size_names": [c.name for c in constants if sizes.is_free(c) and _positive_ints(c.value)],
    }


def _positive_ints(value) -> bool:
    values = value if isinstance(value, tuple) else (value,)
    return bool(values) and all(type(v) is int and v > 0 for v in values)


def shape_row(constants: dict, names: list[str]) -> list[int]:
    """The free sizes of one case, flattened: the `shapes` row shown for it."""
    row: list[int] = []
    for name in names:
        value = constants[name]
        row += list(value) if isinstance(value, list) else [value]
    return row


def title_of(problem: Problem) -> str:
    """`level1/19_ReLU` -> "ReLU (KernelBench level1 #19)"."""
    folder, _, stem = problem.relative_path.rpartition("/")
    number, _, rest = stem.partition("_")
    numbered = number.isdigit() and bool(rest)
    where = " ".join(x for x in ("KernelBench", folder, f"#{number}" if numbered else "") if x)
    return f"{humanize(rest if numbered else stem)} ({where})"


def challenge_toml(problem: Problem, *, slug: str, sizing: Sizing | None = None) -> str:
    """CUDA at the published sizes; the CPU at the sizes the probe measured (published where
    none was measured, none at all where the probe found none that fits)."""
    published = problem.meta["constants"]
    level = problem.relative_path.split("/", 1)[0]
    tags = ["kernelbench", *([level] if level in DIFFICULTY else []), *(sizing.tags if sizing else [])]
    top = common.package_top(slug=slug, title=title_of(problem), difficulty=DIFFICULTY.get(level, "medium"), tags=tags,
                             entry_file="solution.py")
    tables = {"harness": common.harness_table()}
    cpu = published if sizing is None else sizing.cpu_constants
    if cpu is not None:
        tolerance = {**TOLERANCE_CPU, "float32": sizing.cpu_tolerance} if sizing and sizing.cpu_tolerance else TOLERANCE_CPU
        tables["devices.cpu"] = _device(problem, cpu, tolerance=tolerance, limits=common.CPU_LIMITS, budget=common.CPU_LATENCY_BUDGET_S)
    tables["devices.cuda"] = _device(problem, published, tolerance=TOLERANCE_CUDA, limits=common.CUDA_LIMITS, budget=common.CUDA_LATENCY_BUDGET_S)
    header = (
        f"Imported by `manage.py import_problems --format kernelbench` from {problem.relative_path}.py.\n"
        "params.constants gives each case's module constants (set on the problem's module and the\n"
        "candidate's before inputs and models are made); shapes shows their free sizes.\n"
        + (sizing.note if sizing else "CPU sizes: the published ones (not measured).")
    )
    return tomlgen.document(top, tables, header=header)


def _device(problem: Problem, constants: dict, *, tolerance: dict, limits: dict, budget: float) -> dict:
    names = problem.meta["size_names"]
    row = shape_row(constants, names)
    params = {"constant_names": names, "constants": [constants], "latency_budget_s": budget}
    return common.device_table(shapes=[row] if row else [], hidden_shapes=[], tolerance=tolerance, limits=limits, params=params)


def starter_solution(problem: Problem) -> str:
    """The source verbatim, `ModelNew` as a plain subclass of its `Model`, and the entry adapter."""
    header = "# Starter: the KernelBench problem verbatim, and ModelNew = Model. Correct, and as slow as\n# the reference: rewrite ModelNew (same constructor and forward) to make it faster.\n"
    model_new = '\n\nclass ModelNew(Model):\n    """Replace with your optimised model: same constructor arguments, same forward inputs and output."""\n\n\n'
    return header + problem.meta["text"].rstrip() + "\n" + model_new + template("kernelbench_entry.py")


def statement(problem: Problem) -> str:
    constants = problem.meta["constants"]
    shown = ", ".join(f"`{k} = {v}`" for k, v in constants.items()) or "the published sizes"
    submit = f"""\
`solution.py` defines `class ModelNew(nn.Module)` with the same constructor and `forward`
as the problem's `Model` (the starter holds the problem verbatim, with `ModelNew = Model`).
Keep the `hotpath_entry` block at the end of the file: the grader calls it, and it builds
`ModelNew(*get_init_inputs())` after `torch.manual_seed(...)`, so create your parameters in
the same order as `Model` does."""
    graded = common.GRADED.format(
        comparison="`Model` run in float64; relative L2 error at most 1e-4 on the CPU (float32; up to 2e-3 where the reference's own float32 error needs it, as `challenge.toml` says), 1e-2 on the GPU",
        tiers=", ".join(f"{t:g}x" for t in common.TARGETS["speedup"]), cpu="as in challenge.toml [devices.cpu] (measured at import)", cuda=shown,
    )
    return common.statement(title=title_of(problem), description=problem.meta["docstring"], submit=submit, graded=graded,
                            origin=f"Imported from KernelBench {problem.relative_path}.py")

