"""The `trace_answers` grader: structured answers about a profiler trace, checked against
the trace itself.

A profile-diagnosis package ships a real `torch.profiler` Chrome trace and a question file
(`tests/questions.toml`, hidden) that says, per question, how its answer follows from the
trace. Nothing here stores an answer: every expected value is recomputed from the trace
when an answer is graded, so a regenerated trace regrades consistently.

The candidate submits TOML, one key per question id:

    dominant_region = "postprocess"
    syncs_per_step = 64

Timing questions use medians over steps, so that one step descheduled by the OS cannot
decide an answer. Questions (`[[question]]` tables) have an `id`, `points`, a `kind` (below) and that kind's
fields; numeric answers pass within `tolerance` (relative, default 0.1).

| kind | answer | computed as |
| --- | --- | --- |
| `region_max_median` | a region name | the `regions` annotation with the largest median duration per step |
| `region_share` | a fraction | median duration of `region` / median duration of `step_region` |
| `top_self_op` | an op name | the op with the largest summed self time (its duration minus its children's) |
| `most_called_op` | an op name | the top-level op (called directly from an annotation) called most often |
| `count_per_step` | a number | calls of `op` / number of `step_region` annotations |
| `ops_per_step` | a number | top-level ops (called directly from an annotation) per step |
| `region_of_op` | a region name | the `regions` annotation that encloses most calls of `op` |
| `op_size_regime` | `many_small_ops` or `few_large_ops` | whether `region` runs more than `min_ops` (10) top-level ops with a median duration under `threshold_us` |

The verdict is `accepted` when the points reach `pass_percent` of the total (default 60, the
pass mark DESIGN.md gives every written or quiz answer; a package may set its own),
else `wrong_answer`; answers that are not valid TOML are a `compile_error` with the line.
"""
from __future__ import annotations

import gzip
import json
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

DEFAULT_TOLERANCE = 0.1
DEFAULT_PASS_PERCENT = 60.0  # as graders.rubric.format.DEFAULT_PASS_MARK (not imported: that loads numpy)


class TraceQuestionError(ValueError):
    """The package's question file or trace is wrong (a platform problem, not the candidate's)."""


class AnswerSyntaxError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class Event:
    name: str
    cat: str
    thread: tuple
    start: float
    dur: float
    children: list["Event"] = field(default_factory=list)
    parent: "Event | None" = None

    @property
    def end(self) -> float:
        return self.start + self.dur

    @property
    def self_time(self) -> float:
        return max(self.dur - sum(c.dur for c in self.children), 0.0)

    def enclosing(self, names: set[str]) -> "Event | None":
        node = self.parent
        while node is not None and node.name not in names:
            node = node.parent
        return node


class Trace:
    """A Chrome trace's complete events (`ph == "X"`), nested per thread by time."""

    def __init__(self, events: list[Event]) -> None:
        self.events = events
        _nest(events)

    @classmethod
    def load(cls, path: Path) -> "Trace":
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        data = json.loads(raw)
        items = data["traceEvents"] if isinstance(data, dict) else data
        events = [
            Event(name=str(e["name"]), cat=str(e.get("cat", "")), thread=(e.get("pid"), e.get("tid")), start=float(e["ts"]), dur=float(e.get("dur", 0.0)))
            for e in items
            if isinstance(e, dict) and e.get("ph") == "X" and "ts" in e
        ]
        if not events:
            raise TraceQuestionError(f"{path}: no complete ('X') events")
        return cls(events)

    def ops(self) -> list[Event]:
        return [e for e in self.events if e.cat != "user_annotation"]

    def annotations(self, name: str) -> list[Event]:
        return [e for e in self.events if e.cat == "user_annotation" and e.name == name]


def _nest(events: list[Event]) -> None:
    by_thread: dict[tuple, list[Event]] = defaultdict(list)
    for event in events:
        by_thread[event.thread].append(event)
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e.start, -e.dur))
        stack: list[Event] = []
        for event in thread_events:
            while stack and event.start >= stack[-1].end - 1e-6:
                stack.pop()
            if stack:
                event.parent = stack[-1]
                stack[-1].children.append(event)
            stack.append(event)


# -- question kinds ------------------------------------------------------------------------
def _steps(trace: Trace, q: dict) -> int:
    steps = len(trace.annotations(q.get("step_region", "step")))
    if steps == 0:
        raise TraceQuestionError(f"question {q['id']}: no {q.get('step_region', 'step')!r} annotations in the trace")
    return steps


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def region_max_median(trace: Trace, q: dict) -> str:
    # Medians over steps, not sums: one step descheduled by the OS cannot decide the answer.
    medians = {name: _median([e.dur for e in trace.annotations(name)]) for name in q["regions"]}
    return max(medians, key=medians.get)


def region_share(trace: Trace, q: dict) -> float:
    return _median([e.dur for e in trace.annotations(q["region"])]) / _median([e.dur for e in trace.annotations(q.get("step_region", "step"))])


def most_called_op(trace: Trace, q: dict) -> str:
    counts = Counter(op.name for op in trace.ops() if op.parent is not None and op.parent.cat == "user_annotation")
    return counts.most_common(1)[0][0]


def top_self_op(trace: Trace, q: dict) -> str:
    totals: Counter = Counter()
    for op in trace.ops():
        totals[op.name] += op.self_time
    return totals.most_common(1)[0][0]


def count_per_step(trace: Trace, q: dict) -> float:
    return sum(1 for op in trace.ops() if op.name == q["op"]) / _steps(trace, q)


def ops_per_step(trace: Trace, q: dict) -> float:
    top_level = [op for op in trace.ops() if op.parent is not None and op.parent.cat == "user_annotation"]
    return len(top_level) / _steps(trace, q)


def region_of_op(trace: Trace, q: dict) -> str:
    names = set(q["regions"])
    where = Counter(region.name for op in trace.ops() if op.name == q["op"] and (region := op.enclosing(names)) is not None)
    if not where:
        raise TraceQuestionError(f"question {q['id']}: no {q['op']!r} inside any of {sorted(names)}")
    return where.most_common(1)[0][0]


def op_size_regime(trace: Trace, q: dict) -> str:
    top_level = [op.dur for op in trace.ops() if op.parent is not None and op.parent.name == q["region"]]
    return "many_small_ops" if len(top_level) > int(q.get("min_ops", 10)) and _median(top_level) < float(q["threshold_us"]) else "few_large_ops"


KINDS: dict[str, Callable[[Trace, dict], Any]] = {
    "region_max_median": region_max_median,
    "region_share": region_share,
    "top_self_op": top_self_op,
    "most_called_op": most_called_op,
    "count_per_step": count_per_step,
    "ops_per_step": ops_per_step,
    "region_of_op": region_of_op,
    "op_size_regime": op_size_regime,
}


# -- grading ---------------------------------------------------------------------------------
def load_questions(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TraceQuestionError(f"{path}: {exc}") from None
    questions = data.get("question")
    if not isinstance(questions, list) or not questions:
        raise TraceQuestionError(f"{path}: needs at least one [[question]]")
    seen = set()
    for q in questions:
        if q.get("kind") not in KINDS:
            raise TraceQuestionError(f"{path}: question {q.get('id')!r}: kind {q.get('kind')!r} is not one of {', '.join(KINDS)}")
        if not isinstance(q.get("id"), str) or q["id"] in seen:
            raise TraceQuestionError(f"{path}: question ids must be unique strings")
        if not isinstance(q.get("points"), (int, float)) or q["points"] <= 0:
            raise TraceQuestionError(f"{path}: question {q['id']!r}: points must be positive")
        seen.add(q["id"])
    if not isinstance(data.get("trace"), str):
        raise TraceQuestionError(f"{path}: `trace` (the trace's path in the package) is required")
    return data


def expected_answers(package_dir: Path, questions_file: str) -> tuple[dict, dict]:
    """(the question file, {id: expected value}) with every value computed from the trace."""
    data = load_questions(package_dir / questions_file)
    trace = Trace.load(package_dir / data["trace"])
    return data, {q["id"]: KINDS[q["kind"]](trace, q) for q in data["question"]}


def parse_answers(text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _line_of(str(exc))
        raise AnswerSyntaxError(f"answers are not valid TOML: {exc}", line) from None


def _line_of(message: str) -> int | None:
    marker = "at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",")[0].split(")")[0].strip()
        return int(digits) if digits.isdigit() else None
    return None


def judge(question: dict, expected: Any, given: Any) -> tuple[bool, str]:
    if given is None:
        return False, "no answer"
    if isinstance(expected, str):
        ok = isinstance(given, str) and given.strip().lower() == expected.lower()
        return ok, "right" if ok else f"{given!r} is not what the trace shows"
    if isinstance(given, bool) or not isinstance(given, (int, float)):
        return False, f"{given!r} is not a number"
    tolerance = float(question.get("tolerance", DEFAULT_TOLERANCE))
    error = abs(float(given) - expected) / max(abs(expected), 1e-12)
    ok = error <= tolerance
    return ok, f"within {tolerance:.0%} of the trace's figure" if ok else f"{given:g} is {error:.0%} off the trace's figure"


def grade_answers(package_dir: Path, questions_file: str, answer_text: str) -> dict:
    """Score an answer file; the expected values never leave this function."""
    data, expected = expected_answers(package_dir, questions_file)
    given = parse_answers(answer_text)
    rows, earned, total = [], 0.0, 0.0
    for q in data["question"]:
        ok, detail = judge(q, expected[q["id"]], given.get(q["id"]))
        points = float(q["points"]) if ok else 0.0
        earned += points
        total += float(q["points"])
        rows.append({"id": q["id"], "points": points, "max": float(q["points"]), "detail": detail})
    percent = 100.0 * earned / total
    return {"score": earned, "max": total, "percent": round(percent, 2), "questions": rows,
            "passed": percent >= float(data.get("pass_percent", DEFAULT_PASS_PERCENT)), "pass_percent": float(data.get("pass_percent", DEFAULT_PASS_PERCENT))}
