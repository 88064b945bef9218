import secrets
import uuid

from django.db import models


def new_secret() -> str:
    return secrets.token_hex(32)


class Webhook(models.Model):
    """One callback URL per API token: told, signed, when a submission of the token's user is graded."""

    token = models.OneToOneField("authtoken.Token", on_delete=models.CASCADE, related_name="webhook")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=64, default=new_secret, help_text="HMAC-SHA256 key of the X-Hotpath-Signature header")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.url} ({self.token.user})"


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: kept for the audit and the retries."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        FAILED = "failed"  # every attempt failed

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    submission = models.ForeignKey("submissions.Submission", on_delete=models.CASCADE, related_name="webhook_deliveries")
    event = models.CharField(max_length=40, default="submission.graded")
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["webhook", "submission", "event"], name="one_delivery_per_event")]

    def __str__(self) -> str:
        return f"{self.event} {self.submission_id} -> {self.webhook.url} ({self.status})"
