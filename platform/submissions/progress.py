"""Live progress of a grading: the events the harness reports (graders/progress.py) stored in
`Submission.progress`, throttled, and the one view of it every client reads (web page, REST API,
CLI). docs/results.md documents the JSON shape, which is a contract.

Only the grading path writes it (`ProgressWriter`, fed by graders.pipeline from the sandbox's
trusted channel); while a submission waits, its stage and queue position come from the database.
"""
from __future__ import annotations

import time
from typing import Callable

from django.utils import timezone

from graders import progress as events
from submissions.models import Submission

MIN_INTERVAL_S = 0.5


def progress_record(*, submission_id, event: dict) -> bool:
    """Store one event as the submission's current progress; only while it is running (a late
    event never overwrites a finished grading's). True when a row was written."""
    stored = dict(event, updated_at=timezone.now().isoformat())
    return Submission.objects.filter(pk=submission_id, status=Submission.Status.RUNNING).update(progress=stored) == 1


class ProgressWriter:
    """The callback a grading reports to (GradeJob.on_progress). Writes an event at once when it
    reaches a new stage or milestone (the next case, the next throughput step), else at most one
    write every `min_interval_s` (the newest event then; a timing round reports many times a
    second). `flush()` writes an event held back."""

    def __init__(self, *, submission_id, min_interval_s: float = MIN_INTERVAL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.submission_id = submission_id
        self.min_interval_s = min_interval_s
        self.clock = clock
        self.last_key = None
        self.last_at = float("-inf")
        self.pending: dict | None = None
        self.writes = 0

    def __call__(self, event: dict) -> None:
        now = self.clock()
        key = _milestone(event)
        if key == self.last_key and now - self.last_at < self.min_interval_s:
            self.pending = event
            return
        self._write(event, key, now)

    def flush(self) -> None:
        if self.pending is not None:
            self._write(self.pending, _milestone(self.pending), self.clock())

    def _write(self, event: dict, key, now: float) -> None:
        self.pending = None
        self.last_key, self.last_at = key, now
        self.writes += 1
        progress_record(submission_id=self.submission_id, event=event)


def _milestone(event: dict) -> tuple:
    return event.get("stage"), event.get("case_step"), event.get("step") if "of" in event else None


def queue_position(*, submission: Submission) -> int:
    """1 for the next to be graded on its queue (device class), counting the queued ones before it."""
    ahead = Submission.objects.filter(status=Submission.Status.QUEUED, device_class=submission.device_class,
                                      created_at__lt=submission.created_at).count()
    return ahead + 1


def progress_for(*, submission: Submission) -> dict:
    """Where this submission's grading is, as clients show it (docs/results.md)."""
    if submission.status == Submission.Status.QUEUED:
        event = {"stage": "queued", "position": queue_position(submission=submission)}
    elif submission.status == Submission.Status.RUNNING:
        stored = submission.progress if isinstance(submission.progress, dict) else {}
        event = events.clean(stored) or {"stage": "starting"}
        if isinstance(stored.get("updated_at"), str):
            event["updated_at"] = stored["updated_at"]
    else:
        result = getattr(submission, "result", None)
        verdict = "internal_error" if submission.status == Submission.Status.FAILED or result is None else result.verdict
        if result is not None and result.awaiting_review:
            verdict = "awaiting_review"
        event = {"stage": "result", "verdict": verdict}
    event.setdefault("label", events.describe(event))
    if event["stage"] == "result" and event["verdict"] == "internal_error":
        event["label"] = "result: platform error (not counted; submit again)"
    return {"status": submission.status, "done": submission.is_done, **event}
