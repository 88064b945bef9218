"""Reads for the metrics endpoint: everything comes from the database, which every web process
and worker machine shares, so any web process answers a scrape with the whole site's figures."""
from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils import timezone

from ops.models import WorkerHealth
from submissions.models import Result, Submission

# Grading duration buckets (seconds): a trivial CPU grading takes a few seconds, a GPU one minutes.
DURATION_BUCKETS_S = (1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800)


def submissions_by_status() -> dict[tuple[str, str], int]:
    """{(device_class, status): count} for queued and running submissions."""
    rows = (Submission.objects.filter(status__in=[Submission.Status.QUEUED, Submission.Status.RUNNING])
            .values("device_class", "status").annotate(n=Count("pk")))
    return {(r["device_class"], r["status"]): r["n"] for r in rows}


def grading_durations() -> dict[str, dict]:
    """{device_class: {"buckets": [(le, cumulative count)...], "count", "sum"}} of finished gradings
    (started_at to finished_at)."""
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    finished = (Submission.objects.filter(status__in=[Submission.Status.GRADED, Submission.Status.FAILED],
                                          started_at__isnull=False, finished_at__isnull=False)
                .annotate(duration=duration))
    per_bucket = {f"le_{i}": Count("pk", filter=Q(duration__lte=timedelta(seconds=b))) for i, b in enumerate(DURATION_BUCKETS_S)}
    rows = finished.values("device_class").annotate(n=Count("pk"), total=Sum("duration"), **per_bucket)
    return {r["device_class"]: {"buckets": [(b, r[f"le_{i}"]) for i, b in enumerate(DURATION_BUCKETS_S)],
                                "count": r["n"], "sum": _seconds(r["total"])} for r in rows}


def _seconds(total) -> float:
    if total is None:
        return 0.0
    return total.total_seconds() if isinstance(total, timedelta) else float(total) / 1e6  # SQLite sums microseconds


def verdict_counts() -> dict[tuple[str, str], int]:
    """{(device_class, verdict): count} of every result recorded."""
    rows = Result.objects.values("submission__device_class", "verdict").annotate(n=Count("pk"))
    return {(r["submission__device_class"], r["verdict"]): r["n"] for r in rows}


def live_worker_health() -> list[WorkerHealth]:
    cutoff = timezone.now() - timedelta(seconds=settings.HOTPATH_WORKER_LIVENESS_S)
    return list(WorkerHealth.objects.filter(seen_at__gte=cutoff))
