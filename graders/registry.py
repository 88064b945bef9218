"""Grader kinds register here. A challenge's spec composes them by name (`graders = [...]`).

Each kind says where it runs:
- ``static``: on the grading worker, over the candidate's source, before any sandbox;
- ``sandbox``: inside the harness supervisor (`graders/harness/steps.py` implements it);
- ``answer``: on the grading worker over a written answer, no sandbox needed.
"""
from __future__ import annotations

from dataclasses import dataclass

STAGES = ("static", "sandbox", "answer")


@dataclass(frozen=True)
class GraderKind:
    name: str
    stage: str
    summary: str


class RegistryError(Exception):
    pass


_GRADERS: dict[str, GraderKind] = {}


def register_grader(kind: GraderKind) -> GraderKind:
    if not isinstance(kind, GraderKind):
        raise RegistryError(f"{kind!r} is not a GraderKind")
    if not kind.name or not kind.name.replace("_", "").isalnum():
        raise RegistryError(f"grader name {kind.name!r} must be a plain identifier")
    if kind.stage not in STAGES:
        raise RegistryError(f"grader {kind.name!r}: stage {kind.stage!r} is not one of {', '.join(STAGES)}")
    if not kind.summary.strip():
        raise RegistryError(f"grader {kind.name!r}: a summary is required")
    if kind.name in _GRADERS:
        raise RegistryError(f"grader {kind.name!r} is already registered")
    _GRADERS[kind.name] = kind
    return kind


def grader_names() -> list[str]:
    _register_builtins()
    return sorted(_GRADERS)


def get_grader(name: str) -> GraderKind:
    _register_builtins()
    try:
        return _GRADERS[name]
    except KeyError:
        raise RegistryError(f"unknown grader {name!r}; known: {', '.join(sorted(_GRADERS))}") from None


_BUILTINS = (
    GraderKind("static", "static", "forbidden calls and constructs, found in the source with their line"),
    GraderKind("correctness", "sandbox", "hidden inputs from a secret seed checked against a float64 oracle"),
    GraderKind("latency", "sandbox", "candidate and baseline timed interleaved, checked against the wall clock"),
    GraderKind("profile", "sandbox", "torch.profiler summary of the candidate's calls"),
    GraderKind("throughput", "sandbox", "a load generator against a server entry point"),
    GraderKind("rubric", "answer", "a written answer scored against the package's rubric"),
    GraderKind("peak_memory", "sandbox", "peak resident memory of one call, read from /proc outside the candidate's process"),
    GraderKind("benchmark", "sandbox", "a candidate's benchmark figures compared with trusted measurements of hidden variants"),
    GraderKind("trace_answers", "answer", "structured answers about a profiler trace, checked against the trace itself"),
)


def _register_builtins() -> None:
    for kind in _BUILTINS:
        if kind.name not in _GRADERS:
            _GRADERS[kind.name] = kind
