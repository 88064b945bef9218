"""Grader kinds register here; a challenge's spec composes them by name (`graders = [...]`).

Each kind says where it runs (its *stage*) and what runs it (its *handler*):

- ``static``: on the platform side, over the candidate's source, before any sandbox. The
  handler is a function ``(*, job, spec)``.
- ``answer``: on the grading worker, over a written or structured answer; no sandbox. The
  handler is a function ``(*, job, spec)``.
- ``sandbox``: inside the sandbox, in the harness supervisor. The handler is the name of
  the harness step that implements it (``@step("name")`` in ``graders/harness/steps/``).

A static or answer handler returns either a passing check (a dict: grading goes on) or a
`GradeResult` (a verdict is reached: grading stops there). `graders.pipeline` runs the
spec's graders in stage order (`STAGES`), then one sandbox run for all sandbox kinds.

Adding a grader is one file (its handler: a module in `graders/kinds/`, or a step in
`graders/harness/steps/`) plus one line in `_builtin_kinds` below; `register_grader`
checks it like every built-in (docs/authoring.md, "Adding a grader").
"""
from __future__ import annotations

import ast
import functools
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Union

if TYPE_CHECKING:
    from graders.result import GradeResult

STAGES = ("static", "answer", "sandbox")  # also the order they run in
STEPS_DIR = Path(__file__).resolve().parent / "harness" / "steps"

Check = dict  # {"name": ..., "status": "pass"|"fail"|"skip", "detail": ...}
Handler = Callable[..., Union["GradeResult", Check]]


@dataclass(frozen=True)
class GraderKind:
    name: str
    stage: str
    summary: str
    handler: Handler | str | None = None  # a function, or for sandbox kinds a harness step's name


class RegistryError(Exception):
    pass


_GRADERS: dict[str, GraderKind] = {}
_builtins_loaded = False


def register_grader(kind: GraderKind) -> GraderKind:
    """Add a kind, refusing a duplicate name or an incomplete kind."""
    _ensure_builtins()
    return _add(kind)


def grader_names() -> list[str]:
    _ensure_builtins()
    return sorted(_GRADERS)


def get_grader(name: str) -> GraderKind:
    _ensure_builtins()
    try:
        return _GRADERS[name]
    except KeyError:
        raise RegistryError(f"unknown grader {name!r}; known: {', '.join(sorted(_GRADERS))}") from None


def in_stage_order(names: Iterable[str]) -> list[GraderKind]:
    """The named kinds sorted by stage (`STAGES`); within a stage, in the order given."""
    kinds = [get_grader(name) for name in names]
    return sorted(kinds, key=lambda kind: STAGES.index(kind.stage))


def sandbox_steps(names: Iterable[str]) -> list[str]:
    """The harness steps the sandbox runs for these graders, in the order given."""
    return [kind.handler for kind in (get_grader(name) for name in names) if kind.stage == "sandbox"]


@functools.cache
def harness_step_names() -> frozenset[str]:
    """The names of the harness's `@step("name")` functions, read from the source (the steps
    import torch; the platform side must not have to)."""
    names = set()
    for path in sorted(STEPS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.update(_step_name(d) for d in node.decorator_list if _step_name(d))
    return frozenset(names)


def _step_name(decorator: ast.expr) -> str | None:
    if isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Name) and decorator.func.id == "step":
        if decorator.args and isinstance(decorator.args[0], ast.Constant) and isinstance(decorator.args[0].value, str):
            return decorator.args[0].value
    return None


def _add(kind: GraderKind) -> GraderKind:
    _check_kind(kind)
    if kind.name in _GRADERS:
        raise RegistryError(f"grader {kind.name!r} is already registered")
    _GRADERS[kind.name] = kind
    return kind


def _check_kind(kind: GraderKind) -> None:
    if not isinstance(kind, GraderKind):
        raise RegistryError(f"{kind!r} is not a GraderKind")
    if not isinstance(kind.name, str) or not kind.name or not kind.name.replace("_", "").isalnum():
        raise RegistryError(f"grader name {kind.name!r} must be a plain identifier")
    if kind.stage not in STAGES:
        raise RegistryError(f"grader {kind.name!r}: stage {kind.stage!r} is not one of {', '.join(STAGES)}")
    if not isinstance(kind.summary, str) or not kind.summary.strip():
        raise RegistryError(f"grader {kind.name!r}: a summary is required")
    if kind.stage == "sandbox":
        _check_step(kind)
    else:
        _check_function(kind)


def _check_step(kind: GraderKind) -> None:
    if not isinstance(kind.handler, str) or not kind.handler:
        raise RegistryError(f"grader {kind.name!r}: a sandbox grader's handler is the name of its harness step")
    if kind.handler not in harness_step_names():
        raise RegistryError(f"grader {kind.name!r}: no harness step {kind.handler!r} in {STEPS_DIR}; "
                            f"steps: {', '.join(sorted(harness_step_names()))}")


def _check_function(kind: GraderKind) -> None:
    if not callable(kind.handler):
        raise RegistryError(f"grader {kind.name!r}: a {kind.stage} grader's handler must be a function of (*, job, spec)")
    try:
        inspect.signature(kind.handler).bind(job=None, spec=None)
    except (TypeError, ValueError):
        raise RegistryError(f"grader {kind.name!r}: its handler must take the keyword arguments job and spec") from None


def _builtin_kinds() -> tuple[GraderKind, ...]:
    from graders.kinds import rubric, static, trace_answers

    return (
        GraderKind("static", "static", "forbidden calls and constructs, found in the source with their line", static.grade),
        GraderKind("correctness", "sandbox", "hidden inputs from a secret seed checked against a float64 oracle", "correctness"),
        GraderKind("latency", "sandbox", "candidate and baseline timed interleaved, checked against the wall clock", "latency"),
        GraderKind("profile", "sandbox", "torch.profiler summary of the candidate's calls", "profile"),
        GraderKind("throughput", "sandbox", "a load generator against a server entry point", "throughput"),
        GraderKind("rubric", "answer", "a written answer scored against the package's rubric", rubric.grade),
        GraderKind("peak_memory", "sandbox", "peak resident memory of one call, read from /proc outside the candidate's process", "peak_memory"),
        GraderKind("benchmark", "sandbox", "a candidate's benchmark figures compared with trusted measurements of hidden variants", "benchmark"),
        GraderKind("degeneracy", "sandbox", "validation: whether the package's check can fail (constant reference, x1.01 or zeros passing)", "degeneracy"),
        GraderKind("trace_answers", "answer", "structured answers about a profiler trace, checked against the trace itself", trace_answers.grade),
    )


def _ensure_builtins() -> None:
    """Register the built-ins on first use (not at import), through the same checks."""
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    for kind in _builtin_kinds():
        _add(kind)
