"""The supervisor's progress events: one line `{"progress": {...}}` each, written on the result
channel before the result (graders/progress.py parses them on the platform side; docs/results.md
has the shape). Only the supervisor writes here: the candidate's output is piped into its log.

Throttled: an event that moves to a new stage or a new milestone (the next case, the next
throughput point: `milestone()`) always goes out, repeats of the same milestone (timing rounds)
at most every `min_interval_s`, and all of them together stay under `budget_bytes`, so a step
with thousands of rounds neither floods the channel nor crowds the result's size cap.
"""
from __future__ import annotations

import json
import math
import time


class Progress:
    def __init__(self, channel=None, *, min_interval_s: float = 0.25, budget_bytes: int = 64 * 1024, clock=time.monotonic) -> None:
        self.channel = channel
        self.min_interval_s = min_interval_s
        self.budget_bytes = budget_bytes
        self.clock = clock
        self.spent = 0
        self.last_key = None
        self.last_at = -math.inf

    def __call__(self, stage: str, *, force: bool = False, **fields) -> bool:
        """Report `stage` with its fields (None values left out); True when a line was written.
        `force` sends a repeat at once (a case's last timing round: its final CI)."""
        if self.channel is None:
            return False
        now = self.clock()
        fields = {k: _finite(v) for k, v in fields.items()}
        event = {"stage": stage, **{k: v for k, v in fields.items() if v is not None}}
        key = milestone(event)
        if key == self.last_key and now - self.last_at < self.min_interval_s and not force:
            return False
        line = json.dumps({"progress": event}, separators=(",", ":"), allow_nan=False) + "\n"
        if self.spent + len(line) > self.budget_bytes:
            return False
        try:
            self.channel.write(line)
            self.channel.flush()
        except (OSError, ValueError):
            self.channel = None  # the channel is gone; the result (if it can still be written) decides
            return False
        self.spent += len(line)
        self.last_key, self.last_at = key, now
        return True


def milestone(event: dict) -> tuple:
    """What a new event must change to go out at once: the stage, the case, or a counted step
    ("step k of n"); an uncounted step (a timing round) is a repeat."""
    return event.get("stage"), event.get("case_step"), event.get("step") if "of" in event else None


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
