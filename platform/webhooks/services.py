"""Writes for webhooks: set or remove a token's URL, record the deliveries a graded submission
causes, and send one signed delivery.

A delivery's body is JSON; its `X-Hotpath-Signature` header is `sha256=` and the hex
HMAC-SHA256 of the exact body bytes under the webhook's secret (docs/api.md shows how a
receiver checks it). The body is fixed when the delivery is recorded, so every retry sends
the same bytes and the same signature.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from submissions.models import Submission
from webhooks.models import Webhook, WebhookDelivery, new_secret

logger = logging.getLogger(__name__)

EVENT_GRADED = "submission.graded"
SIGNATURE_HEADER = "X-Hotpath-Signature"
USER_AGENT = "Hotpath-Webhooks/1"
_url_validator = URLValidator(schemes=["http", "https"])


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx (or could not be reached): the task retries."""


def sign(*, secret: str, body: bytes) -> str:
    """The value of the signature header for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(*, secret: str, body: bytes, signature: str) -> bool:
    """What a receiver does (shown in docs/api.md); constant-time."""
    return hmac.compare_digest(sign(secret=secret, body=body), signature or "")


def _checked_url(url: object) -> str:
    if not isinstance(url, str) or not url or len(url) > 500:
        raise ValidationError("Give the webhook an http or https URL of at most 500 characters.")
    try:
        _url_validator(url)
    except ValidationError:
        raise ValidationError(f"{url!r} is not an http or https URL.") from None
    return url


@transaction.atomic
def webhook_set(*, token: Token, url: str, rotate_secret: bool = False) -> Webhook:
    """The token's webhook, created (with a new secret) or pointed at a new URL."""
    url = _checked_url(url)
    webhook, created = Webhook.objects.select_for_update().get_or_create(token=token, defaults={"url": url})
    if not created:
        webhook.url = url
        webhook.is_active = True
        if rotate_secret:
            webhook.secret = new_secret()
        webhook.save(update_fields=["url", "is_active", "secret", "updated_at"])
    return webhook


def webhook_delete(*, token: Token) -> bool:
    """Remove the token's webhook; False when it had none."""
    deleted, _ = Webhook.objects.filter(token=token).delete()
    return bool(deleted)


def _payload(*, delivery_id: str, submission: Submission) -> dict:
    from api.serializers import SubmissionOutput  # the API's own shape, so a receiver parses one format

    data = dict(SubmissionOutput(submission).data)
    if data.get("result"):
        data["result"] = {k: v for k, v in data["result"].items() if k != "log"}  # fetch it from the API
    return {"event": EVENT_GRADED, "delivery": delivery_id, "created_at": timezone.now().isoformat(), "submission": data}


@transaction.atomic
def deliveries_record(*, submission: Submission) -> list[WebhookDelivery]:
    """One pending delivery per active webhook of the submission's user (none twice)."""
    deliveries = []
    for webhook in Webhook.objects.filter(token__user_id=submission.user_id, is_active=True):
        delivery, created = WebhookDelivery.objects.get_or_create(webhook=webhook, submission=submission, event=EVENT_GRADED)
        if created:
            delivery.payload = _payload(delivery_id=str(delivery.pk), submission=submission)
            delivery.save(update_fields=["payload"])
            deliveries.append(delivery)
    return deliveries


def submission_graded_notify(*, submission_id) -> None:
    """Record the deliveries of a graded (or failed) submission and queue each one, on the
    queue the submission was graded from (a worker that consumes it is alive)."""
    from webhooks.tasks import deliver_webhook

    submission = Submission.objects.select_related("challenge_version__challenge", "result").get(pk=submission_id)
    queue = getattr(settings, "HOTPATH_WEBHOOK_QUEUE", None) or submission.queue
    for delivery in deliveries_record(submission=submission):
        deliver_webhook.apply_async(args=[str(delivery.pk)], queue=queue)


def delivery_send(*, delivery_id) -> WebhookDelivery:
    """POST one delivery; raise DeliveryFailed (after recording why) unless the receiver says 2xx."""
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    if delivery.status == WebhookDelivery.Status.DELIVERED:
        return delivery
    body = json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Hotpath-Event": delivery.event,
        "X-Hotpath-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(secret=delivery.webhook.secret, body=body),
    }
    delivery.attempts += 1
    refused = private_address_refused(delivery.webhook.url)
    if refused:
        return _failed_attempt(delivery, status=None, error=refused)
    try:
        response = requests.post(delivery.webhook.url, data=body, headers=headers, timeout=_timeout(), allow_redirects=False)
    except requests.RequestException as exc:
        return _failed_attempt(delivery, status=None, error=f"{type(exc).__name__}: {exc}")
    if not 200 <= response.status_code < 300:
        return _failed_attempt(delivery, status=response.status_code, error=f"HTTP {response.status_code}")
    delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.response_status = response.status_code
    delivery.last_error = ""
    delivery.delivered_at = timezone.now()
    delivery.save(update_fields=["status", "response_status", "last_error", "delivered_at", "attempts"])
    return delivery


def _failed_attempt(delivery: WebhookDelivery, *, status: int | None, error: str) -> WebhookDelivery:
    delivery.response_status = status
    delivery.last_error = error[:2000]
    delivery.save(update_fields=["response_status", "last_error", "attempts"])
    raise DeliveryFailed(error)


def delivery_give_up(*, delivery_id) -> None:
    """Every retry failed: the delivery stays, marked failed, with its last error."""
    WebhookDelivery.objects.filter(pk=delivery_id).exclude(status=WebhookDelivery.Status.DELIVERED).update(status=WebhookDelivery.Status.FAILED)
    logger.warning("webhook delivery %s failed after its retries", delivery_id)


def private_address_refused(url: str) -> str | None:
    """Unless HOTPATH_WEBHOOK_ALLOW_PRIVATE (default True, for a laptop), a webhook may not reach
    loopback, private, link-local or reserved addresses (the site's own network): the reason, or None."""
    if getattr(settings, "HOTPATH_WEBHOOK_ALLOW_PRIVATE", True):
        return None
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError):
        return f"cannot resolve {host!r}"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
            return f"refused: {host} resolves to a non-public address ({ip})"
    return None


def _timeout() -> float:
    return float(getattr(settings, "HOTPATH_WEBHOOK_TIMEOUT_S", 10))


def retry_delay(*, retries: int) -> float:
    """Exponential backoff: base, 2 x base, 4 x base... capped (base 10 s: 10, 20, 40... 600 s)."""
    base = float(getattr(settings, "HOTPATH_WEBHOOK_BACKOFF_S", 10))
    return min(base * (2**retries), float(getattr(settings, "HOTPATH_WEBHOOK_BACKOFF_MAX_S", 600)))


def max_retries() -> int:
    return int(getattr(settings, "HOTPATH_WEBHOOK_RETRIES", 6))
