"""Writes for workers: record a heartbeat, forget a worker that stopped."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from workers.devices import DeviceClassError, normalize_device_class
from workers.models import WorkerHeartbeat


@transaction.atomic
def record_heartbeat(*, hostname: str, device_class: str, gpu_model: str, free_slots: int) -> WorkerHeartbeat:
    """A worker announces that it serves `device_class` now, with `free_slots` idle grading slots."""
    hostname = (hostname or "").strip() if isinstance(hostname, str) else ""
    if not hostname or len(hostname) > 200:
        raise ValidationError("A heartbeat needs the worker's hostname (at most 200 characters).")
    try:
        device_class = normalize_device_class(device_class)
    except DeviceClassError as exc:
        raise ValidationError(str(exc)) from None
    if isinstance(free_slots, bool) or not isinstance(free_slots, int) or free_slots < 0:
        raise ValidationError("free_slots must be a whole number, 0 or more.")
    gpu_model = (gpu_model or "").strip()[:100] if isinstance(gpu_model, str) else ""
    heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, device_class=device_class,
        defaults={"gpu_model": gpu_model, "free_slots": free_slots, "last_seen": timezone.now()},
    )
    return heartbeat


def worker_forget(*, hostname: str) -> int:
    """A worker shutting down cleanly leaves at once instead of at the end of the liveness window."""
    deleted, _ = WorkerHeartbeat.objects.filter(hostname=hostname).delete()
    return deleted
