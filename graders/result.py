"""The one result shape (DESIGN.md's `grade --json`), and its strict, size-capped parser."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from graders import verdicts

RESULT_CAP_BYTES = 2 << 20
LOG_CAP_BYTES = 64 * 1024
CHECK_STATUSES = ("pass", "fail", "skip")


class ResultError(ValueError):
    pass


@dataclass
class GradeResult:
    verdict: str
    message: str = ""
    score: float = 0.0
    flags: list[str] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    metrics: dict = field(default_factory=lambda: {"speedup": None, "latency_ms": None})
    log: str = ""

    def as_dict(self) -> dict:
        metrics = {"speedup": None, "latency_ms": None, **self.metrics}
        return {
            "verdict": self.verdict,
            "score": self.score,
            "message": self.message,
            "flags": list(self.flags),
            "checks": list(self.checks),
            "metrics": metrics,
            "log": _cap_log(self.log),
        }


def parse_result(stdout: bytes) -> GradeResult:
    """The supervisor writes exactly one JSON object as its last line; anything else is refused."""
    if len(stdout) > RESULT_CAP_BYTES:
        raise ResultError(f"result larger than {RESULT_CAP_BYTES} bytes")
    lines = stdout.decode("utf-8", "replace").strip().splitlines()
    if not lines:
        raise ResultError("the harness wrote no result")
    try:
        data = json.loads(lines[-1])
    except json.JSONDecodeError as exc:
        raise ResultError(f"result is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ResultError("result is not a JSON object")
    verdict = data.get("verdict")
    if verdict not in verdicts.ALL:
        raise ResultError(f"unknown verdict {verdict!r}")
    message = _typed(data, "message", str)
    flags = _typed(data, "flags", list)
    checks = _typed(data, "checks", list)
    metrics = _typed(data, "metrics", dict)
    log = _typed(data, "log", str)
    if not all(isinstance(f, str) for f in flags):
        raise ResultError("flags must be strings")
    for check in checks:
        if not isinstance(check, dict) or check.get("status") not in CHECK_STATUSES or not isinstance(check.get("name"), str) or not isinstance(check.get("detail"), str):
            raise ResultError(f"malformed check {check!r:.200}")
    speedup = metrics.get("speedup")
    if speedup is not None and (not isinstance(speedup, (int, float)) or isinstance(speedup, bool) or speedup <= 0):
        raise ResultError("metrics.speedup must be a positive number or null")
    return GradeResult(verdict=verdict, message=message[:2000], flags=flags, checks=checks, metrics=metrics, log=_cap_log(log))


def _typed(data: dict, key: str, kind: type):
    value = data.get(key)
    if not isinstance(value, kind):
        raise ResultError(f"result field {key!r} must be {kind.__name__}")
    return value


def _cap_log(log: str) -> str:
    raw = log.encode("utf-8", "replace")
    if len(raw) <= LOG_CAP_BYTES:
        return log
    return raw[:LOG_CAP_BYTES].decode("utf-8", "ignore") + "\n[log truncated at 64 KiB]"
