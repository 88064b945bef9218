"""Workers announce themselves; a device class is live while a worker of it was seen recently."""
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from workers.devices import class_of_queue, device_kind_of
from workers.heartbeat import Heartbeat, heartbeat_for_consumer
from workers.models import WorkerHeartbeat
from workers.selectors import live_device_class, live_device_classes
from workers.services import record_heartbeat, worker_forget
from tests.factories import WorkerHeartbeatFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_workers(live_cpu_worker):
    WorkerHeartbeat.objects.all().delete()  # start from none: these tests count workers


def test_a_heartbeat_is_recorded_and_then_updated_in_place():
    first = record_heartbeat(hostname="celery@gpu-1", device_class="H100", gpu_model="NVIDIA H100 80GB HBM3", free_slots=2)
    assert (first.device_class, first.free_slots) == ("h100", 2)  # the class is the model in lower case
    again = record_heartbeat(hostname="celery@gpu-1", device_class="h100", gpu_model="NVIDIA H100 80GB HBM3", free_slots=0)
    assert again.pk == first.pk and again.free_slots == 0 and again.last_seen >= first.last_seen
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.parametrize("kwargs, message", [
    ({"hostname": ""}, "hostname"),
    ({"hostname": None}, "hostname"),
    ({"device_class": "h100 sxm"}, "not a device class"),
    ({"device_class": "gpu\x00"}, "not a device class"),
    ({"device_class": 7}, "device class"),
    ({"free_slots": -1}, "free_slots"),
    ({"free_slots": "2"}, "free_slots"),
    ({"free_slots": True}, "free_slots"),
])
def test_a_bad_heartbeat_is_refused_clearly(kwargs, message):
    good = {"hostname": "celery@a", "device_class": "cpu", "gpu_model": "", "free_slots": 1}
    with pytest.raises(ValidationError, match=message):
        record_heartbeat(**{**good, **kwargs})
    assert not WorkerHeartbeat.objects.exists()


def test_live_classes_sum_their_workers_and_leave_out_stale_ones(settings):
    settings.HOTPATH_WORKER_LIVENESS_S = 60
    now = timezone.now()
    WorkerHeartbeatFactory(hostname="celery@a", device_class="h100", free_slots=1, last_seen=now - timedelta(seconds=5))
    WorkerHeartbeatFactory(hostname="celery@b", device_class="h100", free_slots=2, last_seen=now)
    WorkerHeartbeatFactory(hostname="celery@c", device_class="cpu", free_slots=0)
    WorkerHeartbeatFactory(hostname="celery@old", device_class="a100", last_seen=now - timedelta(seconds=61))
    rows = live_device_classes()
    assert [r["name"] for r in rows] == ["cpu", "h100"]
    h100 = rows[1]
    assert h100 == {"name": "h100", "gpu_model": "NVIDIA H100", "workers": 2, "free_slots": 3, "last_seen": h100["last_seen"]}
    assert h100["last_seen"] >= now - timedelta(seconds=1)
    assert rows[0]["gpu_model"] == "" and rows[0]["free_slots"] == 0  # busy, but live: submissions queue
    assert live_device_class(name="a100") is None and live_device_class(name="cpu")["workers"] == 1


def test_device_classes_map_to_kinds_and_queues():
    assert device_kind_of("cpu") == "cpu" and device_kind_of("h200") == "cuda"
    assert class_of_queue("grade.h100") == "h100" and class_of_queue("celery") is None and class_of_queue("grade.") is None


class FakeConsumer:
    """What the heartbeat reads of Celery's consumer (celery.worker.consumer.Consumer)."""

    def __init__(self, queues, concurrency):
        amqp = SimpleNamespace(queues=SimpleNamespace(consume_from={q: object() for q in queues}))
        self.app, self.hostname, self.controller = SimpleNamespace(amqp=amqp), "celery@host-1", SimpleNamespace(concurrency=concurrency)


def fake_consumer(queues, concurrency=2):
    return FakeConsumer(queues, concurrency)


def test_the_worker_announces_the_classes_of_the_queues_it_consumes(settings):
    settings.HOTPATH_GPU_MODEL = "NVIDIA H200"
    heartbeat = heartbeat_for_consumer(fake_consumer(["grade.h200", "grade.cpu", "celery"]))
    assert heartbeat.device_classes == ["cpu", "h200"] and heartbeat.slots == 2
    heartbeat.busy = lambda: 1
    heartbeat.beat()
    rows = {r["name"]: r for r in live_device_classes()}
    assert rows["h200"]["gpu_model"] == "NVIDIA H200" and rows["h200"]["free_slots"] == 1
    assert rows["cpu"]["gpu_model"] == ""


def test_the_worker_ready_and_shutdown_signals_start_and_stop_the_heartbeat(settings):
    from celery.signals import worker_ready, worker_shutdown

    settings.HOTPATH_WORKER_HEARTBEAT_S = 3600  # only the first, synchronous beat runs in this test
    worker_ready.send(sender=fake_consumer(["grade.cpu"], concurrency=1))
    assert live_device_class(name="cpu") == {**live_device_class(name="cpu"), "workers": 1, "free_slots": 1}
    worker_shutdown.send(sender=None)
    assert live_device_classes() == []  # a worker that stops cleanly leaves at once


def test_a_failing_beat_is_logged_and_never_raises(caplog):
    heartbeat = Heartbeat(hostname="", device_classes=["cpu"], gpu_model="", slots=1, busy=lambda: 0, interval_s=1)
    heartbeat.beat()  # an empty hostname is refused by the service: logged, not raised
    assert "worker heartbeat failed" in caplog.text and not WorkerHeartbeat.objects.exists()


def test_forgetting_a_worker_removes_only_its_rows():
    WorkerHeartbeatFactory(hostname="celery@a", device_class="cpu")
    WorkerHeartbeatFactory(hostname="celery@a", device_class="h100")
    WorkerHeartbeatFactory(hostname="celery@b", device_class="cpu")
    assert worker_forget(hostname="celery@a") == 2
    assert [r["name"] for r in live_device_classes()] == ["cpu"]


@pytest.mark.django_db(transaction=True)  # the heartbeat thread has its own connection
def test_the_heartbeat_thread_keeps_announcing_the_free_slots_until_stopped():
    import time

    from django.db import OperationalError

    def free_slots_now() -> int:
        # The test database is SQLite's shared-cache in-memory one, where a read that meets the
        # thread's write fails at once with "table is locked" (no busy timeout applies there;
        # a file database or PostgreSQL waits instead). Such a read is simply taken again.
        for _ in range(200):
            try:
                return live_device_class(name="cpu")["free_slots"]
            except OperationalError as error:
                assert "locked" in str(error)
                time.sleep(0.01)
        raise AssertionError("the heartbeat table stayed locked for 2 s")

    busy = [0]
    heartbeat = Heartbeat(hostname="celery@t", device_classes=["cpu"], gpu_model="", slots=2, busy=lambda: busy[0], interval_s=0.05)
    heartbeat.start()
    try:
        assert free_slots_now() == 2  # start() beats before the thread runs
        busy[0] = 2
        deadline = time.monotonic() + 10
        seen = free_slots_now()
        while seen != 0 and time.monotonic() < deadline:
            time.sleep(0.05)
            seen = free_slots_now()
        assert seen == 0  # a later beat saw both slots busy
    finally:
        heartbeat.stop()
    assert live_device_classes() == []
