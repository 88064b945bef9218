"""The verdict exception of the supervisor side: how any supervisor code ends a grading early.

Supervisor side only (the workers never raise or see it: what they send is data, checked by
replies.py). A step, the worker handle or the session raises `Outcome(verdicts.X, message)`;
`Session.run` turns it into the result's verdict and the failed check.
"""
from __future__ import annotations


class Outcome(Exception):
    """A verdict reached while grading (a wrong output, a worker that died, hung, flooded output...)."""

    def __init__(self, verdict: str, message: str, **detail) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message
        self.detail = detail
