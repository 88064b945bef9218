"""/healthz (alive), /readyz (database and broker reachable, 503 with reasons otherwise) and the
structured JSON logs (one object per line, with the request id and submission id where known)."""
import io
import json
import logging

import pytest
from django.db import OperationalError, connections
from django.test import Client

from ops import context
from ops.logging import ContextFilter, JsonFormatter

pytestmark = pytest.mark.django_db


def test_healthz_answers_while_the_process_lives():
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_is_ready_with_the_database_and_the_filesystem_broker():
    response = Client().get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_503_naming_an_unreachable_broker(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    settings.HOTPATH_READY_BROKER_TIMEOUT_S = 1.0
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "problems": ["broker unreachable (OperationalError)"]}


def test_readyz_is_503_naming_an_unreachable_database(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connections["default"], "cursor", refuse)
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["problems"] == ["database unreachable (OperationalError)"]


def _json_lines(records: list[tuple[str, dict]]) -> list[dict]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.ops.json")
    logger.addHandler(handler)
    logger.propagate, logger.level = False, logging.INFO
    try:
        for message, extra in records:
            logger.info(message, extra=extra)
    finally:
        logger.removeHandler(handler)
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_json_logs_are_one_object_per_line_with_the_ids_known():
    token = context.request_id.set("req-1")
    try:
        with context.about_submission("0b6c-sub"):
            inside = _json_lines([("grading\nstarted", {"stage": "correctness"})])
        after = _json_lines([("done", {})])
    finally:
        context.request_id.reset(token)
    assert inside == [{"ts": inside[0]["ts"], "level": "INFO", "logger": "tests.ops.json", "message": "grading\nstarted",
                       "request_id": "req-1", "submission_id": "0b6c-sub", "stage": "correctness"}]
    assert after[0]["request_id"] == "req-1" and "submission_id" not in after[0]


def test_each_request_gets_an_id_echoed_in_the_response_and_a_sane_given_one_is_kept():
    made = Client().get("/healthz")
    assert len(made["X-Request-ID"]) == 32
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="lb-abc.123").headers["X-Request-ID"] == "lb-abc.123"
    assert Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\r\nx").headers["X-Request-ID"] != "bad id\r\nx"


def test_a_grading_task_logs_with_its_submission_id():
    from ops.apps import GRADING_TASK, _task_ended, _task_started

    class Task:
        name = GRADING_TASK

    _task_started(task_id="t1", task=Task(), args=["9f1e"], kwargs={})
    assert context.submission_id.get() == "9f1e"
    _task_ended(task_id="t1")
    assert context.submission_id.get() is None
