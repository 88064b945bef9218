"""Readiness: can this process reach what serving and queueing need (the database, the broker)?"""
from __future__ import annotations

import logging

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)


def database_problem() -> str | None:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready"; the class name says which
        logger.warning("readiness: database unreachable: %s", exc)
        return f"database unreachable ({type(exc).__name__})"
    return None


def broker_problem() -> str | None:
    from kombu import Connection

    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {})
    timeout = settings.HOTPATH_READY_BROKER_TIMEOUT_S
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=timeout, transport_options=options) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=timeout)
            conn.default_channel  # noqa: B018 - opening a channel is what proves the broker answers (Redis: a PING)
    except Exception as exc:  # noqa: BLE001
        logger.warning("readiness: broker unreachable: %s", exc)
        return f"broker unreachable ({type(exc).__name__})"
    return None


def readiness_problems() -> list[str]:
    """Empty when ready; else one line per thing that is not reachable."""
    return [problem for problem in (database_problem(), broker_problem()) if problem]
