import uuid

from django.conf import settings
from django.db import models

from graders import verdicts
from submissions.rules import awaiting_review


class Submission(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        GRADED = "graded"
        FAILED = "failed"  # the platform could not grade it (retries ran out); never the candidate's fault

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="submissions")
    challenge_version = models.ForeignKey("catalog.ChallengeVersion", on_delete=models.PROTECT, related_name="submissions")
    files = models.JSONField(help_text="file name -> text")
    device = models.CharField(max_length=10, default="cpu")
    device_class = models.CharField(max_length=20, default="cpu")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    progress = models.JSONField(default=dict, blank=True,
                                help_text="the running stage as the harness last reported it (submissions.progress)")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The grading lease (submissions.services.submission_claim): only the attempt holding the token
    # may record the result, and a running grading whose lease ran out is put back by the reaper.
    grading_token = models.UUIDField(null=True, blank=True, help_text="the current claim's token; null while not running")
    grading_task_id = models.CharField(max_length=64, blank=True, help_text="the Celery task id that holds the claim")
    grading_worker = models.CharField(max_length=200, blank=True, help_text="the Celery node name that holds the claim")
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    enqueued_at = models.DateTimeField(null=True, blank=True, help_text="when the grading message was last published")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.challenge_version} by {self.user} ({self.status})"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.GRADED, self.Status.FAILED)

    @property
    def queue(self) -> str:
        return f"grade.{self.device_class}"


class Result(models.Model):
    VERDICT_CHOICES = [(v, v.replace("_", " ")) for v in verdicts.ALL]

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="result")
    verdict = models.CharField(max_length=30, choices=VERDICT_CHOICES, db_index=True)
    score = models.FloatField(default=0.0)
    message = models.TextField(blank=True)
    flags = models.JSONField(default=list, blank=True)
    checks = models.JSONField(default=list, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True, help_text="candidate stdout/stderr, at most 64 KiB")
    solved = models.BooleanField(default=False, db_index=True,
                                 help_text="reaches the challenge's first target tier (submissions.rules.result_solves)")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.verdict} {self.score:g}"

    @property
    def speedup(self):
        return self.metrics.get("speedup")

    @property
    def awaiting_review(self) -> bool:
        return awaiting_review(self.metrics)

    @property
    def display_verdict(self) -> str:
        """What a candidate reads: "awaiting review" while a reviewer has yet to look, else the verdict."""
        return "awaiting review" if self.awaiting_review else self.get_verdict_display()

    @property
    def latency(self):
        latency = self.metrics.get("latency_ms")
        return latency if isinstance(latency, dict) else None
