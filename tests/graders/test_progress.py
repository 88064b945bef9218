"""Progress events: the supervisor's throttled writer (graders/harness/progress.py), the strict
platform-side parse (graders/progress.py), the sandbox's line relay, and the stages of a real
grading arriving in order on both backends."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from graders import pipeline, progress
from graders.harness.progress import Progress
from graders.harness.steps.memory import timeline
from sandbox.capped import MAX_LINE, CappedReader
from tests.graders.harness_runner import FIXTURES, require_backend

HONEST = (Path(__file__).resolve().parents[1] / "hostile" / "submissions" / "honest_naive.py").read_text()


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def written(channel: io.StringIO) -> list[dict]:
    return [json.loads(line)["progress"] for line in channel.getvalue().splitlines()]


def test_repeats_of_a_milestone_are_throttled_but_new_milestones_go_out_at_once():
    channel, clock = io.StringIO(), Clock()
    report = Progress(channel, min_interval_s=0.25, clock=clock)
    for round_ in range(1, 1001):  # 1000 timing rounds within 0.1 s
        clock.now = round_ * 1e-4
        report("latency", case_step=1, case_of=2, step=round_)
    assert [e["step"] for e in written(channel)] == [1]
    clock.now = 0.3
    report("latency", case_step=1, case_of=2, step=1001)
    report("latency", case_step=2, case_of=2, step=1)  # the next case: at once
    report("throughput", step=1, of=4)
    report("throughput", step=2, of=4)  # a counted step: at once
    assert [(e["stage"], e.get("case_step"), e["step"]) for e in written(channel)][1:] == [
        ("latency", 1, 1001), ("latency", 2, 1), ("throughput", None, 1), ("throughput", None, 2)]


def test_the_writer_stays_within_its_byte_budget_and_drops_non_finite_numbers():
    channel, clock = io.StringIO(), Clock()
    report = Progress(channel, min_interval_s=0.0, budget_bytes=1000, clock=clock)
    for step in range(200):
        report("throughput", step=step, of=200, speedup=float("inf"))
    assert 0 < len(channel.getvalue()) <= 1000
    assert all("speedup" not in e for e in written(channel))


def test_a_writer_without_a_channel_does_nothing():
    assert Progress(None)("correctness") is False


@pytest.mark.parametrize("line", [
    b"hello",
    b'{"verdict": "accepted"}',
    b'{"progress": {"stage": "pwned"}}',
    b'{"progress": "latency"}',
    b'{"progress": {"stage": "latency"}, "verdict": "accepted"}',
    b'{"progress": {"stage": "latency"' + b" " * 3000 + b"}}",
    b'{"progress": {"stage": "latency"',
])
def test_anything_but_a_well_formed_event_line_is_ignored(line):
    assert progress.parse_line(line) is None


def test_an_event_keeps_only_known_fields_of_the_right_type_and_gets_its_label_here():
    event = progress.parse_line(json.dumps({"progress": {
        "stage": "latency", "case_step": 2, "case_of": 3, "case": "x" * 500, "step": 14, "speedup": 1.2345,
        "ci": [1.18, 1.29], "label": "<script>forged</script>", "of": True, "evil": {"a": 1}, "verdict": 7}}).encode())
    assert set(event) == {"stage", "case_step", "case_of", "case", "step", "speedup", "ci", "label"}
    assert len(event["case"]) == 120
    assert event["label"] == f"timing: case 2 of 3 ({'x' * 120}), round 14, speedup 1.234x (95% CI 1.180-1.290)"


@pytest.mark.parametrize("event, label", [
    ({"stage": "queued", "position": 3}, "queued: position 3 in the queue"),
    ({"stage": "static"}, "static checks"),
    ({"stage": "correctness", "case_step": 1, "case_of": 5, "case": "shape (3, 5) float32"}, "correctness: case 1 of 5 (shape (3, 5) float32)"),
    ({"stage": "throughput", "step": 3, "of": 12, "detail": "candidate, max_batch 8, concurrency 4"},
     "throughput: step 3 of 12, candidate, max_batch 8, concurrency 4"),
    ({"stage": "result", "verdict": "wrong_answer"}, "result: wrong answer"),
])
def test_labels(event, label):
    assert progress.describe(event) == label


def test_the_relay_hands_over_complete_lines_only_and_never_an_overlong_one():
    reader = CappedReader(io.BytesIO(b""), 10 * MAX_LINE, lines=True)
    reader.join()
    seen = []
    reader.feed(b"one\ntw")
    reader.relay(seen.append)
    assert seen == [b"one"]
    reader.feed(b"o\n" + b"x" * (MAX_LINE + 10))
    reader.feed(b"y" * MAX_LINE + b"\nthree\n")
    reader.relay(seen.append)
    assert seen == [b"one", b"two", b"three"]
    assert reader.data().startswith(b"one\ntwo\nxxx")  # the data itself is untouched


def test_a_failing_callback_loses_its_line_only():
    reader = CappedReader(io.BytesIO(b""), 1 << 20, lines=True)
    reader.join()
    reader.feed(b"a\nb\n")
    calls = []

    def callback(line):
        calls.append(line)
        raise RuntimeError("the platform's database is down")

    reader.relay(callback)
    assert calls == [b"a", b"b"]


def test_the_memory_timeline_keeps_the_peak_in_few_points():
    trace = [(i / 1000, 1024 + (50 * 1024 if i == 777 else i)) for i in range(5000)]
    line = timeline(trace, base_kb=1024, points=100)
    assert len(line["t_ms"]) == len(line["mb"]) <= 100
    assert max(line["mb"]) == pytest.approx(50.0)
    assert line["t_ms"] == sorted(line["t_ms"])
    assert timeline([], base_kb=0) == {"t_ms": [], "mb": []}


@pytest.mark.parametrize("backend", ["process", pytest.param("docker", marks=pytest.mark.slow)])
def test_a_real_grading_reports_its_stages_in_order(backend):
    require_backend(backend)
    seen: list[dict] = []
    job = pipeline.GradeJob(slug="tiny-softmax", files={"solution.py": HONEST}, backend=backend, roots=[FIXTURES], on_progress=seen.append)
    result = pipeline.grade(job)
    assert result.verdict == "accepted", result.message
    stages = [e["stage"] for e in seen]
    order = ["static", "starting", "correctness", "latency", "profile"]
    assert [s for s in dict.fromkeys(stages)] == order
    cases = [e["case_step"] for e in seen if e["stage"] == "correctness" and "case_step" in e]
    assert cases == list(range(1, cases[-1] + 1)) and cases[-1] == seen[3]["case_of"]
    rounds = [e["step"] for e in seen if e["stage"] == "latency" and "step" in e]
    assert rounds and rounds == sorted(rounds)
    assert all(e["label"] == progress.describe(e) for e in seen)
    quantiles = result.metrics["cases"][0]["candidate"]["quantiles"]
    assert quantiles["q"][0] == 0.0 and quantiles["q"][-1] == 1.0 and quantiles["ms"] == sorted(quantiles["ms"])
