from django.db import models


class WorkerHeartbeat(models.Model):
    """The latest announcement of one grading worker for one device class it serves.

    A worker sends one every HOTPATH_WORKER_HEARTBEAT_S; a class is live while some row of it
    is younger than HOTPATH_WORKER_LIVENESS_S (workers.selectors.live_device_classes)."""

    hostname = models.CharField(max_length=200, help_text="the Celery node name, e.g. celery@gpu-host-3")
    device_class = models.CharField(max_length=20, db_index=True, help_text="cpu, or the GPU model in lower case (h100)")
    gpu_model = models.CharField(max_length=100, blank=True, help_text="as the driver names it; empty for cpu")
    free_slots = models.PositiveIntegerField(default=0, help_text="grading slots not busy when it last announced itself")
    last_seen = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["device_class", "hostname"]
        constraints = [models.UniqueConstraint(fields=["hostname", "device_class"], name="unique_worker_class")]

    def __str__(self) -> str:
        return f"{self.hostname} ({self.device_class}, {self.free_slots} free)"
