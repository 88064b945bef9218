"""/metrics: queue depth per device class, grading durations, verdict counts, slot use and the
GPU health each worker reports (DCGM exporter names), protected by a token or an address list."""
import sys
import types
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from ops import nvml
from ops.models import WorkerHealth
from submissions.models import Submission
from tests.factories import ResultFactory, SubmissionFactory, WorkerHealthFactory, WorkerHeartbeatFactory
from workers.heartbeat import Heartbeat

pytestmark = pytest.mark.django_db
H100 = {"gpu": 0, "uuid": "GPU-1234", "model": "NVIDIA H100 80GB HBM3",
        "fields": {"DCGM_FI_DEV_GPU_UTIL": 87.0, "DCGM_FI_DEV_FB_USED": 40960.0, "DCGM_FI_DEV_GPU_TEMP": 61.0, "DCGM_FI_DEV_SM_CLOCK": 1980.0}}


def scrape(**extra) -> dict:
    response = Client().get("/metrics", **extra)
    assert response.status_code == 200, response.content
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode()) for s in family.samples}


def _graded(device_class: str, seconds: float, verdict: str):
    now = timezone.now()
    submission = SubmissionFactory(device_class=device_class, status=Submission.Status.GRADED,
                                   started_at=now - timedelta(seconds=seconds), finished_at=now)
    ResultFactory(submission=submission, verdict=verdict)


def test_queue_depth_durations_verdicts_and_slots():
    SubmissionFactory.create_batch(2, device_class="cpu", status=Submission.Status.QUEUED)
    SubmissionFactory(device_class="h100", status=Submission.Status.RUNNING, started_at=timezone.now())
    _graded("cpu", 3, "accepted")
    _graded("cpu", 40, "wrong_answer")
    _graded("h100", 8, "accepted")
    WorkerHealthFactory(hostname="celery@cpu-1", device_classes=["cpu"], slots=2, free_slots=1)
    WorkerHealthFactory(hostname="celery@old", device_classes=["cpu"], slots=8, seen_at=timezone.now() - timedelta(hours=1))
    m = scrape()
    assert m[("hotpath_queue_depth", (("device_class", "cpu"),))] == 2
    assert m[("hotpath_queue_depth", (("device_class", "h100"),))] == 0
    assert m[("hotpath_submissions_running", (("device_class", "h100"),))] == 1
    cpu = ("device_class", "cpu")
    assert m[("hotpath_grading_duration_seconds_bucket", (cpu, ("le", "5.0")))] == 1
    assert m[("hotpath_grading_duration_seconds_bucket", (cpu, ("le", "60.0")))] == 2
    assert m[("hotpath_grading_duration_seconds_bucket", (cpu, ("le", "+Inf")))] == 2
    assert m[("hotpath_grading_duration_seconds_count", (cpu,))] == 2
    assert m[("hotpath_grading_duration_seconds_sum", (cpu,))] == pytest.approx(43, abs=0.5)
    assert m[("hotpath_verdicts_total", (cpu, ("verdict", "wrong_answer")))] == 1
    assert m[("hotpath_verdicts_total", (("device_class", "h100"), ("verdict", "accepted")))] == 1
    assert m[("hotpath_grading_slots", (cpu,))] == 2  # the stale worker is left out
    assert m[("hotpath_grading_slots_busy", (cpu,))] == 1
    assert m[("hotpath_workers", (cpu,))] == 1
    assert not any(name.startswith("DCGM_") for name, _ in m)  # no GPU reported: no GPU series


def test_gpu_health_as_dcgm_names_it():
    WorkerHealthFactory(hostname="celery@gpu-3", device_classes=["h100"], slots=1, free_slots=0, gpus=[H100])
    m = scrape()
    labels = (("Hostname", "celery@gpu-3"), ("UUID", "GPU-1234"), ("device", "nvidia0"), ("device_class", "h100"), ("gpu", "0"),
              ("modelName", "NVIDIA H100 80GB HBM3"))
    assert m[("DCGM_FI_DEV_GPU_UTIL", labels)] == 87
    assert m[("DCGM_FI_DEV_FB_USED", labels)] == 40960
    assert m[("DCGM_FI_DEV_GPU_TEMP", labels)] == 61
    assert m[("DCGM_FI_DEV_SM_CLOCK", labels)] == 1980


def test_metrics_need_an_allowed_address_or_the_token(settings):
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.HOTPATH_METRICS_TOKEN = "s3cret-scrape-token"
    assert Client().get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    scrape(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    settings.HOTPATH_METRICS_ALLOWED_IPS = ["10.1.0.0/16"]
    scrape(REMOTE_ADDR="10.1.2.3")
    assert Client().get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # the list replaces the loopback default


@pytest.fixture
def fresh_nvml(monkeypatch):
    monkeypatch.setattr(nvml, "_state", {"initialised": False, "unavailable": False})


class FakeNvml(types.ModuleType):
    NVML_TEMPERATURE_GPU, NVML_CLOCK_SM, NVML_CLOCK_MEM = 0, 1, 2

    def __init__(self):
        super().__init__("pynvml")

    def nvmlInit(self):
        pass

    def nvmlDeviceGetHandleByIndex(self, index):
        if index != 0:
            raise RuntimeError("NVML_ERROR_INVALID_ARGUMENT")
        return "h0"

    def nvmlDeviceGetUUID(self, handle):
        return b"GPU-abcd"

    def nvmlDeviceGetName(self, handle):
        return "NVIDIA H200"

    def nvmlDeviceGetUtilizationRates(self, handle):
        return types.SimpleNamespace(gpu=55, memory=20)

    def nvmlDeviceGetMemoryInfo(self, handle):
        return types.SimpleNamespace(used=2 << 30, free=6 << 30, total=8 << 30)

    def nvmlDeviceGetTemperature(self, handle, sensor):
        return 48

    def nvmlDeviceGetClockInfo(self, handle, clock):
        return {1: 1755, 2: 2619}[clock]

    def nvmlDeviceGetPowerUsage(self, handle):
        return 312_500


def test_a_cuda_workers_heartbeat_carries_its_gpu_health(settings, monkeypatch, fresh_nvml):
    settings.HOTPATH_DEVICE, settings.HOTPATH_GPU_INDEX = "cuda", 0
    monkeypatch.setitem(sys.modules, "pynvml", FakeNvml())
    WorkerHeartbeatFactory(hostname="celery@gpu-7", device_class="h200")
    Heartbeat(hostname="celery@gpu-7", device_classes=["h200"], gpu_model="NVIDIA H200", slots=2, busy=lambda: 1, interval_s=1).beat()
    health = WorkerHealth.objects.get(hostname="celery@gpu-7")
    assert (health.slots, health.free_slots, health.device_classes) == (2, 1, ["h200"])
    (gpu,) = health.gpus
    assert gpu["uuid"] == "GPU-abcd" and gpu["fields"]["DCGM_FI_DEV_FB_USED"] == 2048 and gpu["fields"]["DCGM_FI_DEV_MEM_CLOCK"] == 2619
    assert gpu["fields"]["DCGM_FI_DEV_POWER_USAGE"] == 312.5
    assert scrape()[("DCGM_FI_DEV_GPU_TEMP", (("Hostname", "celery@gpu-7"), ("UUID", "GPU-abcd"), ("device", "nvidia0"),
                                               ("device_class", "h200"), ("gpu", "0"), ("modelName", "NVIDIA H200")))] == 48


def test_without_nvml_a_gpu_worker_reports_no_gpu_and_no_error(settings, monkeypatch, fresh_nvml):
    settings.HOTPATH_DEVICE = "cuda"

    class Broken(FakeNvml):
        def nvmlInit(self):
            raise OSError("NVML Shared Library Not Found")

    monkeypatch.setitem(sys.modules, "pynvml", Broken())
    Heartbeat(hostname="celery@gpu-8", device_classes=["h100"], gpu_model="", slots=1, busy=lambda: 0, interval_s=1).beat()
    assert WorkerHealth.objects.get(hostname="celery@gpu-8").gpus == []
    assert nvml.read_gpu(0) is None  # and it does not try again on every beat


def test_a_cpu_worker_never_asks_nvml(settings, monkeypatch, fresh_nvml):
    settings.HOTPATH_DEVICE = "cpu"
    monkeypatch.setattr(nvml, "read_gpu", lambda index: pytest.fail("a cpu worker read NVML"))
    Heartbeat(hostname="celery@cpu-9", device_classes=["cpu"], gpu_model="", slots=1, busy=lambda: 0, interval_s=1).beat()
    assert WorkerHealth.objects.get(hostname="celery@cpu-9").gpus == []


@pytest.mark.skipif(not __import__("shutil").which("nvidia-smi"), reason="no NVIDIA driver on this machine")
def test_the_real_nvml_reads_this_machines_gpu(fresh_nvml):
    reading = nvml.read_gpu(0)
    assert reading is not None and 0 <= reading["fields"]["DCGM_FI_DEV_GPU_UTIL"] <= 100 and reading["fields"]["DCGM_FI_DEV_SM_CLOCK"] > 0


@pytest.mark.skipif(bool(__import__("shutil").which("nvidia-smi")), reason="this machine has an NVIDIA driver")
def test_without_a_driver_the_real_nvml_reads_nothing_and_raises_nothing(fresh_nvml):
    assert nvml.read_gpu(0) is None
