"""Prometheus exposition for /metrics (names in docs/security.md and docs/deployment.md)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from ops import nvml, selectors
from submissions.models import Submission
from workers.selectors import live_device_classes

GPU_LABELS = ["gpu", "UUID", "device", "modelName", "Hostname", "device_class"]  # DCGM's, plus the class


class HotpathCollector:
    """Read at scrape time from the database (ops.selectors), so every process agrees."""

    def collect(self):
        yield from _queue_metrics()
        yield _duration_metric()
        yield _verdict_metric()
        health = selectors.live_worker_health()
        yield from _slot_metrics(health)
        yield from _gpu_metrics(health)

    def describe(self):
        return []  # collected on demand only


def _queue_metrics():
    counts = selectors.submissions_by_status()
    classes = sorted({c for c, _ in counts} | {row["name"] for row in live_device_classes()})
    queued = GaugeMetricFamily("hotpath_queue_depth", "Submissions waiting on the grade.<device_class> queue.", labels=["device_class"])
    running = GaugeMetricFamily("hotpath_submissions_running", "Submissions being graded now.", labels=["device_class"])
    for device_class in classes:
        queued.add_metric([device_class], counts.get((device_class, Submission.Status.QUEUED), 0))
        running.add_metric([device_class], counts.get((device_class, Submission.Status.RUNNING), 0))
    return [queued, running]


def _duration_metric():
    family = HistogramMetricFamily("hotpath_grading_duration_seconds", "Time from a grading's start to its recorded result.",
                                   labels=["device_class"])
    for device_class, data in sorted(selectors.grading_durations().items()):
        buckets = [(_le(b), n) for b, n in data["buckets"]] + [("+Inf", data["count"])]
        family.add_metric([device_class], buckets, data["sum"])
    return family


def _le(bound: float) -> str:
    return str(float(bound))


def _verdict_metric():
    family = CounterMetricFamily("hotpath_verdicts", "Results recorded, by verdict.", labels=["device_class", "verdict"])
    for (device_class, verdict), n in sorted(selectors.verdict_counts().items()):
        family.add_metric([device_class, verdict], n)
    return family


def _slot_metrics(health):
    total = GaugeMetricFamily("hotpath_grading_slots", "Grading slots of live workers.", labels=["device_class"])
    busy = GaugeMetricFamily("hotpath_grading_slots_busy", "Grading slots busy, as the workers last reported.", labels=["device_class"])
    workers = GaugeMetricFamily("hotpath_workers", "Live grading workers.", labels=["device_class"])
    sums: dict[str, list[int]] = {}
    for row in health:
        for device_class in row.device_classes:
            entry = sums.setdefault(device_class, [0, 0, 0])
            entry[0] += row.slots
            entry[1] += max(row.slots - row.free_slots, 0)
            entry[2] += 1
    for device_class, (slots, in_use, count) in sorted(sums.items()):
        total.add_metric([device_class], slots)
        busy.add_metric([device_class], in_use)
        workers.add_metric([device_class], count)
    return [total, busy, workers]


def _gpu_metrics(health):
    families = {name: GaugeMetricFamily(name, doc, labels=GPU_LABELS) for name, doc in nvml.FIELDS.items()}
    for row in health:
        for gpu in row.gpus or []:
            labels = [str(gpu.get("gpu", "")), str(gpu.get("uuid", "")), f"nvidia{gpu.get('gpu', '')}", str(gpu.get("model", "")),
                      row.hostname, ",".join(row.device_classes)]
            for name, value in (gpu.get("fields") or {}).items():
                if name in families and isinstance(value, (int, float)):
                    families[name].add_metric(labels, value)
    return [family for family in families.values() if family.samples]


def exposition() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HotpathCollector())
    return generate_latest(registry)
