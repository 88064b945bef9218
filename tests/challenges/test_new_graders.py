"""Units of the graders built for the catalog: trace answers, peak memory, benchmark figures."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from graders.catalog import BUILTIN_ROOT
from graders.harness.steps.benchmark import VARIANTS, median_per_call
from graders.harness.steps.memory import RssSampler, read_status_kb
from graders.trace_answers import AnswerSyntaxError, Trace, TraceQuestionError, grade_answers, judge, load_questions, parse_answers

PROFILE = BUILTIN_ROOT / "profile-diagnosis"


def _trace(tmp_path: Path, events: list[dict]) -> Path:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps({"traceEvents": events}))
    return path


def _ev(name, ts, dur, cat="cpu_op", tid=1):
    return {"ph": "X", "name": name, "cat": cat, "ts": ts, "dur": dur, "pid": 1, "tid": tid}


def test_nesting_and_self_time(tmp_path):
    events = [
        _ev("step", 0, 100, "user_annotation"),
        _ev("post", 10, 80, "user_annotation"),
        _ev("aten::item", 20, 30),
        _ev("aten::_local_scalar_dense", 25, 20),
        _ev("aten::item", 60, 10),
        _ev("aten::add", 5, 1, tid=2),  # another thread: never a child of `step`
    ]
    trace = Trace.load(_trace(tmp_path, events))
    item = next(e for e in trace.events if e.name == "aten::item")
    assert item.parent.name == "post" and item.enclosing({"step"}).name == "step"
    assert item.self_time == pytest.approx(10)
    assert next(e for e in trace.events if e.name == "aten::add").parent is None


def test_questions_are_answered_from_the_trace(tmp_path):
    events = []
    for step in range(3):
        t0 = step * 1000
        events += [_ev("step", t0, 900, "user_annotation"), _ev("load", t0 + 1, 100, "user_annotation"), _ev("post", t0 + 200, 600, "user_annotation")]
        events += [_ev("aten::item", t0 + 210 + 10 * i, 5) for i in range(4)]
    events[0]["dur"] = 900  # medians: one slow `load` must not decide the region
    events[1]["dur"] = 880
    _trace(tmp_path, events)
    (tmp_path / "q.toml").write_text(
        'trace = "trace.json"\n'
        '[[question]]\nid = "region"\nkind = "region_max_median"\nregions = ["load", "post"]\npoints = 1\n'
        '[[question]]\nid = "syncs"\nkind = "count_per_step"\nop = "aten::item"\npoints = 1\ntolerance = 0.01\n'
        '[[question]]\nid = "where"\nkind = "region_of_op"\nop = "aten::item"\nregions = ["load", "post"]\npoints = 1\n'
    )
    good = grade_answers(tmp_path, "q.toml", 'region = "post"\nsyncs = 4\nwhere = "post"\n')
    assert good["passed"] and good["score"] == 3
    bad = grade_answers(tmp_path, "q.toml", 'region = "load"\nsyncs = 12\nwhere = "post"\n')
    assert not bad["passed"] and bad["score"] == 1


def test_judging_rules():
    assert judge({}, "postprocess", " Postprocess ")[0]
    assert not judge({}, "postprocess", "forward")[0]
    assert judge({"tolerance": 0.1}, 100.0, 105)[0]
    assert not judge({"tolerance": 0.1}, 100.0, 120)[0]
    assert not judge({}, 100.0, True)[0]
    assert not judge({}, 100.0, None)[0]


def test_answer_syntax_error_names_the_line():
    with pytest.raises(AnswerSyntaxError) as info:
        parse_answers('a = "x"\nb = not toml\n')
    assert info.value.line == 2


def test_question_file_is_checked(tmp_path):
    (tmp_path / "q.toml").write_text('trace = "t.json"\n[[question]]\nid = "a"\nkind = "nonsense"\npoints = 1\n')
    with pytest.raises(TraceQuestionError):
        load_questions(tmp_path / "q.toml")


def test_packaged_trace_is_real_and_small():
    trace_path = PROFILE / "starter" / "trace.json"
    assert trace_path.stat().st_size < 1 << 20
    trace = Trace.load(trace_path)
    assert len(trace.annotations("step")) == 5
    assert any(e.name == "aten::addmm" for e in trace.ops())
    reference = (PROFILE / "reference" / "answers.toml").read_text()
    assert grade_answers(PROFILE, "tests/questions.toml", reference)["percent"] == 100.0


def test_rss_sampler_sees_a_short_lived_allocation():
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nsys.stdin.readline()\nb = bytearray(64 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\ntime.sleep(0.05)\ndel b\ntime.sleep(0.2)\n"],
        stdin=subprocess.PIPE,
    )
    try:
        time.sleep(0.2)
        with RssSampler(child.pid) as sampler:
            before = sampler.peak_kb
            child.stdin.write(b"go\n")
            child.stdin.flush()
            child.wait(timeout=10)
        assert (sampler.peak_kb - before) / 1024 > 48
    finally:
        child.kill()


def test_status_of_this_process():
    status = read_status_kb(os.getpid())
    assert status["VmHWM"] >= status["VmRSS"] > 0


def test_trusted_median_ignores_a_slow_first_call():
    import torch

    fn = VARIANTS["lazy_init"](64, torch.device("cpu"))
    start = time.perf_counter()
    fn()  # the 50 ms one-off
    assert time.perf_counter() - start > 0.04
    steady = median_per_call(fn, min_run_time=0.05)
    assert steady < 0.01


def test_every_variant_builds_and_runs():
    import torch

    for name, build in VARIANTS.items():
        assert build(64, torch.device("cpu"))() is not None, name
