"""Progress of one grading: the events the supervisor writes on its result channel while it
works, their strict parse, and the one-line text every client shows (web page, API, CLI).

The supervisor (trusted, outside the candidate's process) writes each event as one line
``{"progress": {...}}`` on the same channel as the result, before the result line. The
candidate's stdout and stderr never reach that channel (they are pipes into the supervisor
and end up in the result's `log`), so a line the candidate prints cannot become an event.
Every field is checked here anyway, and unknown ones are dropped. docs/results.md has the
shape, which is a contract.
"""
from __future__ import annotations

import json
import math

PREFIX = b'{"progress":'
MAX_LINE_BYTES = 2048

# the stages, in the order a grading passes them (a grading runs only its spec's steps)
STAGES = ("queued", "static", "starting", "correctness", "peak_memory", "latency", "throughput",
          "benchmark", "profile", "degeneracy", "rubric", "trace_answers", "result")
TITLES = {
    "queued": "queued", "static": "static checks", "starting": "starting the sandbox",
    "correctness": "correctness", "peak_memory": "peak memory", "latency": "timing",
    "throughput": "throughput", "benchmark": "benchmark", "profile": "profile", "degeneracy": "degeneracy check",
    "rubric": "scoring the answer", "trace_answers": "checking the answers", "result": "result",
}
INT_FIELDS = ("step", "of", "case_step", "case_of", "position")
STR_FIELDS = ("case", "detail", "verdict")
# graders/harness/progress.py writes the lines (the harness imports nothing of graders/ outside it)


def parse_line(line: bytes) -> dict | None:
    """The event a result-channel line carries, cleaned; None for any other line."""
    line = line.strip()
    if not line.startswith(PREFIX) or len(line) > MAX_LINE_BYTES:
        return None
    try:
        data = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or len(data) != 1:
        return None
    return clean(data.get("progress"))


def clean(event) -> dict | None:
    """Only the known fields with the right types; the label made here, from them."""
    if not isinstance(event, dict) or event.get("stage") not in STAGES:
        return None
    out: dict = {"stage": event["stage"]}
    for key in INT_FIELDS:
        value = event.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**9:
            out[key] = value
    for key in STR_FIELDS:
        value = event.get(key)
        if isinstance(value, str) and value:
            out[key] = value[:120]
    speedup = _number(event.get("speedup"))
    if speedup is not None:
        out["speedup"] = speedup
    ci = event.get("ci")
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and all(_number(v) is not None for v in ci):
        out["ci"] = [float(ci[0]), float(ci[1])]
    out["label"] = describe(out)
    return out


def _number(value) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    return None


def describe(event: dict) -> str:
    """One human line, e.g. "timing: case 2 of 3 (large), round 14, speedup 1.23x (95% CI 1.18-1.29)"."""
    stage = event.get("stage", "")
    parts = [TITLES.get(stage, stage)]
    if stage == "queued":
        return f"queued: position {event['position']} in the queue" if "position" in event else "queued"
    if stage == "result":
        return f"result: {event['verdict'].replace('_', ' ')}" if "verdict" in event else "result"
    where = []
    case = f"case {event.get('case_step', 0)} of {event['case_of']}" if "case_of" in event else ""
    if "case" in event:
        case = f"{case} ({event['case']})" if case else event["case"]
    if case:
        where.append(case)
    if stage == "latency":
        if "step" in event:
            where.append(f"round {event['step']}")
    elif "of" in event:
        noun = "case" if stage == "correctness" else "step"
        where.append(f"{noun} {event.get('step', 0)} of {event['of']}")
    if "speedup" in event:
        ci = f" (95% CI {event['ci'][0]:.3f}-{event['ci'][1]:.3f})" if "ci" in event else ""
        where.append(f"speedup {event['speedup']:.3f}x{ci}")
    if "detail" in event:
        where.append(event["detail"])
    return f"{parts[0]}: {', '.join(where)}" if where else parts[0]
