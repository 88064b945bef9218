"""Reads for workers: which device classes have a live worker now."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Max, Sum
from django.utils import timezone

from workers.models import WorkerHeartbeat


def _live_heartbeats():
    cutoff = timezone.now() - timedelta(seconds=settings.HOTPATH_WORKER_LIVENESS_S)
    return WorkerHeartbeat.objects.filter(last_seen__gte=cutoff)


def live_device_classes() -> list[dict]:
    """One row per device class with a worker seen within HOTPATH_WORKER_LIVENESS_S, by name:
    `name`, `gpu_model`, `workers` (how many), `free_slots` (their sum), `last_seen` (the latest)."""
    rows = (
        _live_heartbeats().values("device_class")
        .annotate(gpu_model=Max("gpu_model"), workers=Count("hostname", distinct=True),
                  free_slots=Sum("free_slots"), last_seen=Max("last_seen"))
        .order_by("device_class")
    )
    return [{"name": r["device_class"], "gpu_model": r["gpu_model"] or "", "workers": r["workers"],
             "free_slots": r["free_slots"] or 0, "last_seen": r["last_seen"]} for r in rows]


def live_device_class(*, name: str) -> dict | None:
    """The live_device_classes row of this class, or None when no worker of it is live."""
    return next((row for row in live_device_classes() if row["name"] == name), None)


def live_worker_hostnames() -> list[str]:
    """The Celery node names seen within HOTPATH_WORKER_LIVENESS_S (the reaper trusts their gradings)."""
    return sorted(set(_live_heartbeats().values_list("hostname", flat=True)))
