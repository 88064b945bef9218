from django.db import models


class WorkerHealth(models.Model):
    """What a grading worker last reported about itself for the metrics endpoint: its grading
    slots and, on a GPU worker, its GPU's NVML readings (ops.nvml). One row per worker, refreshed
    with its heartbeat (workers.heartbeat calls ops.services.worker_health_report)."""

    hostname = models.CharField(max_length=200, unique=True, help_text="the Celery node name")
    device_classes = models.JSONField(default=list, help_text="the classes it serves, e.g. ['h100']")
    slots = models.PositiveIntegerField(default=0, help_text="grading slots (the pool's concurrency)")
    free_slots = models.PositiveIntegerField(default=0)
    gpus = models.JSONField(default=list, blank=True, help_text="ops.nvml.read_gpu readings; empty without a GPU")
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return f"{self.hostname} ({self.free_slots}/{self.slots} free)"
