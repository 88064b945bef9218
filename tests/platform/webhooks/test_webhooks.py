"""Webhooks: a URL per token, told with a signed (HMAC-SHA256) POST when a submission of the
token's user is graded, retried with backoff; checked against a local HTTP server."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rest_framework.authtoken.models import Token

from graders.result import GradeResult
from submissions.models import Submission
from submissions.services import submission_record_result
from tests.factories import SubmissionFactory, UserFactory
from webhooks import services
from webhooks.models import Webhook, WebhookDelivery

pytestmark = pytest.mark.django_db(transaction=True)


class Receiver:
    """A local HTTP server that answers the statuses it is given, in turn (then 200)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests: list[dict] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture
def eager_webhooks(eager_grading, settings):
    settings.HOTPATH_WEBHOOK_RETRIES = 3
    settings.HOTPATH_WEBHOOK_TIMEOUT_S = 2


def _grade(submission: Submission, verdict="accepted") -> None:
    submission.status = Submission.Status.RUNNING
    submission.save(update_fields=["status"])
    submission_record_result(submission=submission, result=GradeResult(verdict=verdict, score=55.0, message="fine", log="secret log"))


def _token_with_hook(url: str) -> tuple[Token, Webhook]:
    token = Token.objects.create(user=UserFactory())
    return token, services.webhook_set(token=token, url=url)


def test_a_graded_submission_is_posted_signed_to_the_tokens_url(receiver, eager_webhooks):
    r = receiver()
    token, hook = _token_with_hook(r.url)
    submission = SubmissionFactory(user=token.user, status=Submission.Status.QUEUED)
    SubmissionFactory(status=Submission.Status.QUEUED)  # another user's: no webhook
    _grade(submission)
    assert len(r.requests) == 1
    sent = r.requests[0]
    expected = "sha256=" + hmac.new(hook.secret.encode(), sent["body"], hashlib.sha256).hexdigest()
    assert sent["headers"]["X-Hotpath-Signature"] == expected
    assert services.verify(secret=hook.secret, body=sent["body"], signature=expected)
    assert not services.verify(secret="other", body=sent["body"], signature=expected)
    payload = json.loads(sent["body"])
    assert payload["event"] == "submission.graded" == sent["headers"]["X-Hotpath-Event"]
    assert payload["delivery"] == sent["headers"]["X-Hotpath-Delivery"]
    assert payload["submission"]["id"] == str(submission.pk) and payload["submission"]["result"]["verdict"] == "accepted"
    assert "log" not in payload["submission"]["result"]  # fetched from the API by those allowed
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)


def test_failures_are_retried_with_backoff_then_given_up(receiver, eager_webhooks, monkeypatch):
    delays = []
    real_delay = services.retry_delay
    monkeypatch.setattr(services, "retry_delay", lambda *, retries: delays.append(real_delay(retries=retries)) or delays[-1])
    flaky = receiver([500, 503])
    token, _ = _token_with_hook(flaky.url)
    _grade(SubmissionFactory(user=token.user, status=Submission.Status.QUEUED))
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, len(flaky.requests)) == ("delivered", 3, 3)
    assert delays == [10.0, 20.0]  # exponential from HOTPATH_WEBHOOK_BACKOFF_S
    assert len({request["body"] for request in flaky.requests}) == 1  # every retry sends the same signed bytes

    broken = receiver([500] * 10)
    token, _ = _token_with_hook(broken.url)
    _grade(SubmissionFactory(user=token.user, status=Submission.Status.QUEUED), verdict="wrong_answer")
    failed = WebhookDelivery.objects.get(webhook__token=token)
    assert (failed.status, failed.attempts, failed.response_status, failed.last_error) == ("failed", 4, 500, "HTTP 500")


def test_an_unreachable_receiver_never_fails_the_grading(eager_webhooks):
    token, _ = _token_with_hook("http://127.0.0.1:9/nothing-listens")
    submission = SubmissionFactory(user=token.user, status=Submission.Status.QUEUED)
    _grade(submission)
    submission.refresh_from_db()
    assert submission.status == "graded"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "ConnectionError" in delivery.last_error


def test_backoff_doubles_up_to_a_cap(settings):
    settings.HOTPATH_WEBHOOK_BACKOFF_S = 5
    settings.HOTPATH_WEBHOOK_BACKOFF_MAX_S = 30
    assert [services.retry_delay(retries=n) for n in range(5)] == [5, 10, 20, 30, 30]


def test_a_submission_is_delivered_once_per_webhook(receiver, eager_webhooks):
    r = receiver()
    token, _ = _token_with_hook(r.url)
    submission = SubmissionFactory(user=token.user, status=Submission.Status.QUEUED)
    _grade(submission)
    services.submission_graded_notify(submission_id=submission.pk)  # e.g. a re-grade
    assert len(r.requests) == 1 and WebhookDelivery.objects.count() == 1


def test_the_webhook_endpoint_sets_shows_rotates_and_deletes(live_server, user, receiver):
    import requests

    token = Token.objects.create(user=user)
    api = requests.Session()
    api.headers["Authorization"] = f"Token {token.key}"
    url = live_server.url + "/api/webhook/"
    assert api.get(url).status_code == 404
    for bad in ({"url": "ftp://example.com/x"}, {"url": "not a url"}, {"url": "http://a\x00b/"}, {"url": 7}, {}):
        refused = api.put(url, json=bad)
        assert refused.status_code == 400 and refused.json()["detail"], (bad, refused.text)
    created = api.put(url, json={"url": "https://example.com/hook"}).json()
    assert created["url"] == "https://example.com/hook" and len(created["secret"]) == 64
    moved = api.put(url, json={"url": "https://example.com/other"}).json()
    assert moved["secret"] == created["secret"]
    rotated = api.put(url, json={"url": "https://example.com/other", "rotate_secret": True}).json()
    assert rotated["secret"] != created["secret"]
    assert api.get(url).json()["url"] == "https://example.com/other"
    assert api.get(live_server.url + "/api/webhook/deliveries/").json() == []
    assert api.delete(url).status_code == 204 and api.delete(url).status_code == 404
    assert not Webhook.objects.exists()


def test_private_addresses_can_be_refused(receiver, eager_webhooks, settings):
    settings.HOTPATH_WEBHOOK_ALLOW_PRIVATE = False
    r = receiver()
    token, _ = _token_with_hook(r.url)
    _grade(SubmissionFactory(user=token.user, status=Submission.Status.QUEUED))
    delivery = WebhookDelivery.objects.get()
    assert r.requests == [] and delivery.status == "failed" and "non-public address (127.0.0.1)" in delivery.last_error
    assert services.private_address_refused("http://localhost/") and services.private_address_refused("http://[::1]/")
    assert services.private_address_refused("http://10.1.2.3/") and services.private_address_refused("http://169.254.169.254/")
