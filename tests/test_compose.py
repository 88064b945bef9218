"""compose.yaml, checked structurally (no Docker Hub here, so it is never run in the tests): the
services and their healthchecks, gunicorn in front, a cpu and a gpu worker on their grade.<class>
queues with an NVIDIA device reservation for the gpu one, and only environment variables the
settings read. `docker compose config` validates it too where the plugin exists."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from tests.conftest import REPO_ROOT

COMPOSE = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text())
SERVICES = COMPOSE["services"]
HOTPATH_SERVICES = ("migrate", "web", "worker-cpu", "worker-gpu", "beat")
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "WEB_CONCURRENCY"}  # read by Django and by gunicorn themselves


def settings_read_from_environment() -> set[str]:
    names = set()
    for module in ("settings.py", "settings_production.py"):
        source = (REPO_ROOT / "platform" / "hotpath" / module).read_text()
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    return names | {"HOTPATH_CHALLENGE_DIRS"}  # graders.catalog.configured_dirs reads it


def test_the_services_are_all_there_with_healthchecks():
    assert {"web", "worker-cpu", "worker-gpu", "postgres", "redis"} <= set(SERVICES)
    for name in ("web", "worker-cpu", "worker-gpu", "postgres", "redis"):
        assert SERVICES[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
    assert "/readyz" in " ".join(SERVICES["web"]["healthcheck"]["test"])
    assert SERVICES["redis"]["command"][:3] == ["redis-server", "--appendonly", "yes"]  # persistence on


def test_the_web_runs_behind_gunicorn_pinned_in_requirements():
    command = SERVICES["web"]["command"]
    assert command[0] == "gunicorn" and "hotpath.wsgi:application" in command
    assert re.search(r"^gunicorn==[\d.]+", (REPO_ROOT / "requirements.txt").read_text(), re.MULTILINE)
    assert SERVICES["web"]["environment"]["DJANGO_SETTINGS_MODULE"] == "hotpath.settings_production"
    assert (REPO_ROOT / "platform" / "hotpath" / "settings_production.py").is_file()
    assert SERVICES["web"]["build"] == "." and (REPO_ROOT / "Dockerfile").is_file()


def _queue(service: dict) -> str:
    command = service["command"]
    return command[command.index("-Q") + 1]


def test_each_worker_consumes_the_queue_of_its_device_class():
    cpu, gpu = SERVICES["worker-cpu"], SERVICES["worker-gpu"]
    assert _queue(cpu) == "grade.cpu" and cpu["environment"]["HOTPATH_DEVICE_CLASS"] == "cpu"
    assert gpu["environment"]["HOTPATH_DEVICE"] == "cuda"
    gpu_class = gpu["environment"]["HOTPATH_DEVICE_CLASS"]
    assert _queue(gpu) == f"grade.{gpu_class}"  # both ${GPU_CLASS:-h100}: one variable names the class and the queue


def test_the_gpu_worker_reserves_an_nvidia_device():
    (device,) = SERVICES["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and "gpu" in device["capabilities"] and device["count"] == 1
    assert "deploy" not in SERVICES["worker-cpu"]


def test_every_environment_variable_is_one_the_settings_read():
    known = settings_read_from_environment() | NOT_SETTINGS
    for name in HOTPATH_SERVICES:
        unknown = set(SERVICES[name]["environment"]) - known
        assert not unknown, f"{name} sets variables no setting reads: {sorted(unknown)}"
    for needed in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
        assert needed in SERVICES["web"]["environment"]


def test_the_secrets_must_be_given():
    env = SERVICES["web"]["environment"]
    for name in ("SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"):
        assert ":?" in env[name], f"{name} has a default secret in compose.yaml"


@pytest.mark.skipif(subprocess.run(["docker", "compose", "version"], capture_output=True).returncode != 0 if shutil.which("docker") else True,
                    reason="the docker compose plugin is not installed here")
def test_docker_compose_config_accepts_it():
    env = {"PATH": "/usr/bin:/bin:/usr/local/bin", "HOTPATH_SECRET_KEY": "x" * 64, "POSTGRES_PASSWORD": "p", "REDIS_PASSWORD": "r"}
    proc = subprocess.run(["docker", "compose", "--profile", "gpu", "config", "--quiet"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
