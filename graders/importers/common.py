"""Pieces both formats use: reading source files safely, the spec's device tables, the statement."""
from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Iterator

CPU_LIMITS = {"wall_s": 120, "call_s": 20, "memory_mb": 4096}
CUDA_LIMITS = {"wall_s": 300, "call_s": 60, "memory_mb": 16384}
# The starter is the source's own code, about 1.0x against the baseline; tier 1 sits clearly
# above the noise of a loaded machine. The reference is the starter, so it claims no tier.
TARGETS = {"speedup": [1.5, 3.0]}
CPU_LATENCY_BUDGET_S = 0.5
CUDA_LATENCY_BUDGET_S = 5.0


class NotAProblem(ValueError):
    """This file or folder is not a problem of the format; the message says why."""


def walk_files(source: Path) -> Iterator[Path]:
    """Files under `source`, sorted, without following links or entering hidden folders."""
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__")))
        for name in sorted(files):
            yield Path(folder) / name


def read_source(path: Path, *, root: Path) -> str:
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        raise NotAProblem("a link to a file outside PATH")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotAProblem("not UTF-8 text") from None
    except OSError as exc:
        raise NotAProblem(f"unreadable ({exc.strerror})") from None


def parse_python(text: str, *, name: str) -> ast.Module:
    try:
        return ast.parse(text, filename=name)
    except SyntaxError as exc:
        raise NotAProblem(f"Python syntax error on line {exc.lineno}") from None


def top_level_names(tree: ast.Module) -> dict[str, ast.AST]:
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}


def package_top(*, slug: str, title: str, difficulty: str, tags: list[str], entry_file: str) -> dict:
    """challenge.toml's top-level keys of an imported kernel package (entry `hotpath_entry`)."""
    return {
        "slug": slug, "kind": "kernel", "title": title, "difficulty": difficulty, "tags": tags,
        "entry": {"file": entry_file, "callable": "hotpath_entry"},
        "graders": ["static", "correctness", "latency"], "forbidden_calls": [], "starter_expect": "accepted",
    }


def harness_table(*, with_check: bool = False) -> dict:
    """The [harness] table: the adapters every imported package carries in tests/."""
    table = {"cases": "tests/inputs.py:cases", "inputs": "tests/inputs.py:make_inputs", "expected": "tests/oracle.py:expected"}
    if with_check:
        table["check"] = "tests/oracle.py:check"
    return {**table, "baseline": "tests/baseline.py:baseline"}


def device_table(*, shapes: list, hidden_shapes: list, tolerance: dict, limits: dict, params: dict) -> dict:
    table = {"shapes": shapes} if shapes else {}
    if hidden_shapes:
        table["hidden_shapes"] = hidden_shapes
    table.update(tolerance=tolerance, limits=limits, targets=TARGETS, reference_tier=0, params=params)
    return table


# The CPU tolerance: ten times the reference's own float32 error against float64 at the CPU
# sizes (a deep network's float32 drifts past 1e-4), never under 1e-4 and never as loose as
# a x1.01 answer (rel L2 1e-2): KernelBench's atol = rtol = 1e-2 would let that pass.
TOLERANCE_FLOOR, TOLERANCE_CEILING = 1e-4, 2e-3


def cpu_tolerance(float32_error: float | None) -> float:
    if float32_error is None:
        return TOLERANCE_FLOOR
    return float(f"{min(TOLERANCE_CEILING, max(TOLERANCE_FLOOR, 10 * float32_error)):.2g}")


def measured_note(*, how: str) -> str:
    """challenge.toml's header line on the CPU sizes (the figures, which vary between runs, go
    to the import's report: a re-run rewrites the same package)."""
    return f"CPU sizes measured in the sandbox at import: {how}."


def figures(measured: dict) -> str:
    """What the probe measured at the CPU sizes, for the report."""
    error = measured.get("float32_error")
    return (f"{measured['seconds'] * 1000:.1f} ms per float64 reference call, {measured['input_mb']:.2f} MB of inputs, "
            f"trial peak {measured['peak_mb']:.0f} MB" + (f", float32 error {error:.2g}" if error is not None else ""))


def statement(*, title: str, description: str, submit: str, graded: str, origin: str) -> str:
    parts = [f"# {title}", description.strip() or "(The source gives no description.)", "## What to submit", submit.strip(), "## How it is graded", graded.strip(), f"_{origin}._"]
    return "\n\n".join(parts) + "\n"


GRADED = """\
Every call gets fresh random inputs drawn from a secret seed, at the sizes below; your
output is compared with the source's reference ({comparison}). Then your code is timed
against that reference, interleaved in the same run. Score: 40 points if correct, plus up to
60 for the speedup (tiers {tiers}, geometric mean over the timed cases).

| device | cases |
| --- | --- |
| CPU (practice) | {cpu} |
| GPU | {cuda} |
"""
