"""Writes for ops: a worker's health report."""
from __future__ import annotations

import logging

from django.conf import settings
from django.utils import timezone

from ops import nvml
from ops.models import WorkerHealth

logger = logging.getLogger(__name__)


def worker_health_record(*, hostname: str, device_classes: list[str], slots: int, free_slots: int, gpus: list[dict]) -> WorkerHealth:
    health, _ = WorkerHealth.objects.update_or_create(
        hostname=hostname[:200],
        defaults={"device_classes": list(device_classes), "slots": max(int(slots), 0), "free_slots": max(int(free_slots), 0),
                  "gpus": gpus, "seen_at": timezone.now()},
    )
    return health


def worker_health_report(*, hostname: str, device_classes: list[str], slots: int, free_slots: int) -> None:
    """Called with each heartbeat: the slots, and on a cuda worker its GPU's NVML readings.
    Never raises: a worker keeps grading whatever its health report does."""
    try:
        reading = nvml.read_gpu(settings.HOTPATH_GPU_INDEX) if settings.HOTPATH_DEVICE == "cuda" else None
        worker_health_record(hostname=hostname, device_classes=device_classes, slots=slots, free_slots=free_slots,
                             gpus=[reading] if reading else [])
    except Exception:  # noqa: BLE001 - logged; the next beat tries again
        logger.exception("recording the worker's health failed")


def worker_health_forget(*, hostname: str) -> None:
    WorkerHealth.objects.filter(hostname=hostname).delete()
