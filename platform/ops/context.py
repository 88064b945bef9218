"""What the current request or job is about, for the log lines it writes (ops.logging)."""
from __future__ import annotations

import contextlib
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("hotpath_request_id", default=None)
submission_id: ContextVar[str | None] = ContextVar("hotpath_submission_id", default=None)


@contextlib.contextmanager
def about_submission(value: str):
    """Log lines written inside carry this submission id (a grading task wraps its work in it)."""
    token = submission_id.set(str(value))
    try:
        yield
    finally:
        submission_id.reset(token)
