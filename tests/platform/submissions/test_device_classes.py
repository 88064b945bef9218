"""A submission names a device class with a live worker; otherwise it is refused at submit time."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from submissions.models import Submission
from submissions.services import DeviceClassUnavailable, submission_create
from tests.factories import ChallengeFactory, ChallengeVersionFactory, UserFactory, WorkerHeartbeatFactory
from workers.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
FILES = {"solution.py": "def solve():\n    return 1\n"}


@pytest.fixture
def gpu_challenge():
    return ChallengeVersionFactory(device_kinds=["cpu", "cuda"]).challenge


def submit(challenge, **kwargs):
    return submission_create(user=UserFactory(), challenge=challenge, files=FILES, **kwargs)


def test_the_cpu_class_is_the_default_where_a_cpu_worker_is_live(gpu_challenge):
    submission = submit(gpu_challenge)
    assert (submission.device, submission.device_class, submission.queue) == ("cpu", "cpu", "grade.cpu")


def test_cuda_on_a_cpu_only_install_is_refused_not_sent_to_the_cpu_queue(gpu_challenge, settings):
    settings.HOTPATH_DEVICE_CLASS = "h100"  # the web process's own setting no longer decides anything
    with pytest.raises(DeviceClassUnavailable, match="No cuda worker is online.*Online: cpu"):
        submit(gpu_challenge, device="cuda")
    assert not Submission.objects.exists()


def test_cuda_goes_to_the_live_gpu_class_with_most_free_slots(gpu_challenge):
    WorkerHeartbeatFactory(device_class="a100", free_slots=0)
    WorkerHeartbeatFactory(device_class="h100", free_slots=2)
    submission = submit(gpu_challenge, device="cuda")
    assert (submission.device, submission.device_class, submission.queue) == ("cuda", "h100", "grade.h100")


def test_a_named_class_decides_the_device_and_is_normalised(gpu_challenge):
    WorkerHeartbeatFactory(device_class="h200")
    submission = submit(gpu_challenge, device_class=" H200 ")
    assert (submission.device, submission.device_class) == ("cuda", "h200")


def test_a_class_without_a_live_worker_is_refused_with_a_clear_message(gpu_challenge, settings):
    settings.HOTPATH_WORKER_LIVENESS_S = 60
    WorkerHeartbeatFactory(device_class="h100", last_seen=timezone.now() - timedelta(seconds=120))  # stale
    with pytest.raises(DeviceClassUnavailable) as refused:
        submit(gpu_challenge, device_class="h100")
    assert refused.value.messages == ["No worker for device class h100 is online, so it cannot grade now. Online: cpu."]
    assert isinstance(refused.value, ValidationError)  # what the web form and the API already turn into messages


def test_with_no_worker_at_all_even_cpu_is_refused(gpu_challenge):
    WorkerHeartbeat.objects.all().delete()
    with pytest.raises(DeviceClassUnavailable, match="No grading worker is online"):
        submit(gpu_challenge)


@pytest.mark.parametrize("kwargs, message", [
    ({"device": "tpu"}, "Unknown device 'tpu'"),
    ({"device_class": "h100; rm -rf"}, "is not a device class name"),
    ({"device_class": "a\x00b"}, "is not a device class name"),
    ({"device": "cpu", "device_class": "h100"}, "grades on cuda, not cpu"),
    ({"device": "cuda", "device_class": "cpu"}, "grades on cpu, not cuda"),
])
def test_bad_device_requests_are_refused(gpu_challenge, kwargs, message):
    WorkerHeartbeatFactory(device_class="h100")
    with pytest.raises(ValidationError, match=message):
        submit(gpu_challenge, **kwargs)
    assert not Submission.objects.exists()


def test_a_cpu_only_challenge_refuses_a_gpu_class():
    challenge = ChallengeVersionFactory(device_kinds=["cpu"]).challenge
    WorkerHeartbeatFactory(device_class="h100")
    with pytest.raises(ValidationError, match="does not run on cuda"):
        submit(challenge, device_class="h100")


def test_a_written_answer_takes_any_live_class():
    challenge = ChallengeVersionFactory(challenge=ChallengeFactory(kind="written"), device_kinds=[]).challenge
    WorkerHeartbeat.objects.all().delete()
    WorkerHeartbeatFactory(device_class="h100")
    submission = submit(challenge)
    assert submission.device_class == "h100"
