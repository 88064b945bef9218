"""The grader registry: what it refuses, that it agrees with the harness, and that the
pipeline dispatches through it (stage order, one sandbox run for every sandbox kind)."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from graders import pipeline, registry
from graders.registry import GraderKind, RegistryError, get_grader, grader_names, register_grader
from graders.result import GradeResult
from graders.spec import load_spec
from tests.conftest import FIXTURE_CHALLENGES


@pytest.fixture
def scratch_registry(monkeypatch):
    """Registrations made in a test vanish with it."""
    registry.grader_names()
    monkeypatch.setattr(registry, "_GRADERS", dict(registry._GRADERS))


def _passes(*, job, spec):
    return {"name": "extra", "status": "pass", "detail": "fine"}


def test_every_sandbox_kind_is_a_harness_step_and_every_step_a_kind():
    from graders.harness.steps import load_steps

    steps = set(load_steps())
    sandbox_kinds = {get_grader(n).handler for n in grader_names() if get_grader(n).stage == "sandbox"}
    assert sandbox_kinds == steps
    assert registry.harness_step_names() == steps  # the source scan the registry checks with sees what the harness loads


def test_platform_and_answer_kinds_have_functions_of_job_and_spec():
    for name in grader_names():
        kind = get_grader(name)
        assert kind.stage in registry.STAGES
        if kind.stage != "sandbox":
            assert callable(kind.handler), name
    assert get_grader("static").stage == "static"
    assert {get_grader(n).stage for n in ("rubric", "trace_answers")} == {"answer"}


@pytest.mark.parametrize("kind, message", [
    (GraderKind("latency", "sandbox", "again", "latency"), "already registered"),
    (GraderKind("static", "static", "again", _passes), "already registered"),
    (GraderKind("odd name!", "sandbox", "x", "latency"), "plain identifier"),
    (GraderKind("fine", "moon", "x", _passes), "stage 'moon'"),
    (GraderKind("fine", "answer", "   ", _passes), "summary"),
    (GraderKind("fine", "answer", "x"), "handler must be a function"),
    (GraderKind("fine", "static", "x", "latency"), "handler must be a function"),
    (GraderKind("fine", "answer", "x", lambda answer: None), "keyword arguments job and spec"),
    (GraderKind("fine", "sandbox", "x"), "name of its harness step"),
    (GraderKind("fine", "sandbox", "x", _passes), "name of its harness step"),
    (GraderKind("fine", "sandbox", "x", "no_such_step"), "no harness step 'no_such_step'"),
    ("not a kind", "not a GraderKind"),
])
def test_registration_refuses_duplicates_and_incomplete_kinds(scratch_registry, kind, message):
    before = grader_names()
    with pytest.raises(RegistryError, match=message):
        register_grader(kind)
    assert grader_names() == before


def test_a_complete_kind_registers(scratch_registry):
    register_grader(GraderKind("extra", "answer", "an extra check", _passes))
    register_grader(GraderKind("timing_again", "sandbox", "the latency step under another name", "latency"))
    assert {"extra", "timing_again"} <= set(grader_names())
    assert registry.sandbox_steps(["static", "timing_again", "extra"]) == ["latency"]


def test_builtins_go_through_the_same_checks(monkeypatch):
    broken = (GraderKind("ghost", "sandbox", "a sandbox grader with no step", "ghost"),)
    monkeypatch.setattr(registry, "_GRADERS", {})
    monkeypatch.setattr(registry, "_builtins_loaded", False)
    monkeypatch.setattr(registry, "_builtin_kinds", lambda: broken)
    with pytest.raises(RegistryError, match="no harness step 'ghost'"):
        grader_names()


def test_stage_order_puts_static_first_then_answers_then_sandbox_keeping_the_spec_order():
    names = ["peak_memory", "correctness", "rubric", "latency", "static"]
    assert [k.name for k in registry.in_stage_order(names)] == ["static", "rubric", "peak_memory", "correctness", "latency"]
    assert registry.sandbox_steps(names) == ["peak_memory", "correctness", "latency"]


# -- dispatch ------------------------------------------------------------------------------


@pytest.fixture
def spec():
    return load_spec(FIXTURE_CHALLENGES / "vector-add")


@pytest.fixture
def sandbox_runs(monkeypatch):
    """Stand in for the sandbox: record each run's job document, answer as an accepted run would."""
    runs = []

    def run(job, spec, device_spec):
        runs.append(pipeline._job_document(job, spec, device_spec))
        return GradeResult(verdict="accepted", checks=[{"name": "correctness", "status": "pass", "detail": ""}], metrics={"speedup": 1.0})

    monkeypatch.setattr(pipeline, "_run_in_sandbox", run)
    return runs


def _job(files=None):
    return pipeline.GradeJob(slug="vector-add", files=files or {"solution.py": "def add(a, b):\n    return a + b\n"})


def test_static_then_one_sandbox_run_for_every_sandbox_kind_then_the_score(spec, sandbox_runs):
    spec = dataclasses.replace(spec, graders=["correctness", "latency", "static"])
    result = pipeline._grade_once(_job(), spec)
    assert [run["graders"] for run in sandbox_runs] == [["correctness", "latency"]]
    assert [c["name"] for c in result.checks] == ["static", "correctness"]
    assert result.score == pytest.approx(100.0)  # speedup 1.0 reaches the fixture's top tier (1.0)
    assert result.metrics["tier"] == 2


def test_a_static_finding_ends_the_grading_before_any_sandbox(spec, sandbox_runs):
    result = pipeline._grade_once(_job({"solution.py": "import torch\ndef add(a, b):\n    return torch.add(a, b)\n"}), spec)
    assert result.verdict == "rejected" and "line 3" in result.message
    assert sandbox_runs == []


def test_a_registered_kind_is_dispatched_in_its_stage(scratch_registry, spec, sandbox_runs):
    calls = []

    def verdict(*, job, spec):
        calls.append(job.slug)
        return GradeResult(verdict="wrong_answer", message="the extra check says no", checks=[{"name": "extra", "status": "fail", "detail": ""}])

    register_grader(GraderKind("extra", "answer", "an extra check", verdict))
    result = pipeline._grade_once(_job(), dataclasses.replace(spec, graders=["correctness", "extra", "static"]))
    assert calls == ["vector-add"] and sandbox_runs == []  # its verdict ends the grading before the sandbox
    assert result.verdict == "wrong_answer" and [c["name"] for c in result.checks] == ["static", "extra"]


def test_the_guides_worked_example_registers_and_dispatches(scratch_registry, spec, sandbox_runs):
    """docs/authoring.md, "Adding a grader": its file and its one line, run as written."""
    import re
    import types

    guide = (Path(__file__).resolve().parents[2] / "docs" / "authoring.md").read_text(encoding="utf-8")
    section = guide[guide.index("### Adding a grader"):guide.index("## 7.")]
    module_source, line = re.findall(r"```python\n(.*?)```", section, re.S)[:2]
    docstring = types.ModuleType("docstring")
    exec(compile(module_source, "graders/kinds/docstring.py", "exec"), docstring.__dict__)  # noqa: S102 - our own guide
    register_grader(eval(line.strip().rstrip(","), {"GraderKind": GraderKind, "docstring": docstring}))  # noqa: S307
    spec = dataclasses.replace(spec, graders=["static", "docstring", "correctness"])
    bare = pipeline._grade_once(_job({"solution.py": "def add(a, b):\n    return a + b\n"}), spec)
    assert bare.verdict == "rejected" and "line 1" in bare.message and sandbox_runs == []
    documented = pipeline._grade_once(_job({"solution.py": 'def add(a, b):\n    """a + b"""\n    return a + b\n'}), spec)
    assert documented.verdict == "accepted" and [c["name"] for c in documented.checks] == ["static", "docstring", "correctness"]
