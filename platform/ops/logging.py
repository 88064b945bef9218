"""Structured logs: one JSON object per line, with the request id and submission id where known.

Enabled with LOG_FORMAT=json (hotpath.settings.LOGGING); every record passes ContextFilter, so
a plain-text log can use %(request_id)s too."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from ops import context

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id", "submission_id"}


class ContextFilter(logging.Filter):
    """Puts the current request id and submission id on the record (None when unknown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = context.request_id.get()
        if getattr(record, "submission_id", None) is None:
            record.submission_id = context.submission_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", "request_id"?, "submission_id"?, "exc"?, ...extra}`."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, tz=timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("request_id", "submission_id"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = str(value)
        entry.update({key: value for key, value in vars(record).items() if key not in _STANDARD and not key.startswith("_")})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
