"""The grading worker's heartbeat: a daemon thread in the Celery worker that announces the
device classes it serves (from the `grade.<class>` queues it consumes), its GPU model and its
free grading slots, every HOTPATH_WORKER_HEARTBEAT_S. Started on `worker_ready`, stopped on
`worker_shutdown` (signals connected in workers.apps)."""
from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connection

from ops.services import worker_health_report
from workers.devices import CPU, class_of_queue
from workers.services import record_heartbeat, worker_forget

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, *, hostname: str, device_classes: list[str], gpu_model: str, slots: int,
                 busy: Callable[[], int], interval_s: float):
        self.hostname, self.device_classes, self.gpu_model = hostname, device_classes, gpu_model
        self.slots, self.busy, self.interval_s = slots, busy, interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """One announcement per class; a database hiccup is logged, and the next beat retries."""
        free = max(self.slots - self.busy(), 0)
        try:
            close_old_connections()
            for device_class in self.device_classes:
                gpu_model = "" if device_class == CPU else self.gpu_model
                record_heartbeat(hostname=self.hostname, device_class=device_class, gpu_model=gpu_model, free_slots=free)
            # slots and, on a cuda worker, its GPU's NVML readings for /metrics (never raises)
            worker_health_report(hostname=self.hostname, device_classes=self.device_classes, slots=self.slots, free_slots=free)
        except Exception:  # noqa: BLE001 - the worker keeps grading; liveness lapses only if it keeps failing
            logger.exception("worker heartbeat failed")

    def start(self) -> None:
        self.beat()  # live before the first job can arrive
        self._thread = threading.Thread(target=self._run, name="hotpath-heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 5)
        try:
            worker_forget(hostname=self.hostname)
        except Exception:  # noqa: BLE001 - it will simply age out of the liveness window
            logger.exception("removing the worker's heartbeat failed")
        finally:
            connection.close()

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.interval_s):
                self.beat()
        finally:
            connection.close()  # this thread's own connection


def heartbeat_for_consumer(consumer) -> Heartbeat:
    """The heartbeat of the worker whose consumer just became ready."""
    from celery.worker import state

    queues = list(consumer.app.amqp.queues.consume_from or {})
    classes = sorted({c for c in (class_of_queue(q) for q in queues) if c}) or [settings.HOTPATH_DEVICE_CLASS]
    controller = getattr(consumer, "controller", None)
    slots = int(getattr(controller, "concurrency", None) or 1)
    return Heartbeat(hostname=consumer.hostname, device_classes=classes, gpu_model=gpu_model(), slots=slots,
                     busy=lambda: len(state.active_requests), interval_s=settings.HOTPATH_WORKER_HEARTBEAT_S)


def gpu_model() -> str:
    """HOTPATH_GPU_MODEL, else the driver's name for HOTPATH_GPU_INDEX (nvidia-smi: CUDA is never
    initialised in the worker's main process, whose pool may fork), else empty."""
    if settings.HOTPATH_GPU_MODEL:
        return settings.HOTPATH_GPU_MODEL
    if settings.HOTPATH_DEVICE != "cuda" or not shutil.which("nvidia-smi"):
        return ""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader", "-i", str(settings.HOTPATH_GPU_INDEX)],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.strip().splitlines()[0].strip() if out.strip() else ""


_running: list[Heartbeat] = []


def on_worker_ready(sender, **kwargs) -> None:
    heartbeat = heartbeat_for_consumer(sender)
    heartbeat.start()
    _running.append(heartbeat)
    logger.info("announcing device class(es) %s as %s", ", ".join(heartbeat.device_classes), heartbeat.hostname)


def on_worker_shutdown(sender, **kwargs) -> None:
    while _running:
        _running.pop().stop()
