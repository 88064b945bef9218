"""Against a real Redis this test starts (a free port, its own directory; skipped where there is no
redis-server): /readyz follows the broker up and down, and the log-in throttle's counts live in
the shared cache, so a second process sees the lock-out the first one started."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest
from django.core.cache import caches
from django.test import Client

from tests.conftest import REPO_ROOT

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    port = _free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}", proc
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=10)


def test_readyz_follows_the_broker(settings, redis_url):
    url, proc = redis_url
    settings.CELERY_BROKER_URL = f"{url}/0"
    settings.HOTPATH_READY_BROKER_TIMEOUT_S = 1.0
    assert Client().get("/readyz").status_code == 200
    proc.terminate()
    proc.wait(timeout=10)
    down = Client().get("/readyz")
    assert down.status_code == 503 and down.json()["problems"] == ["broker unreachable (OperationalError)"]


def test_the_throttle_is_shared_by_processes_through_the_cache(settings, redis_url):
    url, _ = redis_url
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"{url}/1"}}
    settings.HOTPATH_LOGIN_MAX_FAILURES = 5
    caches["default"].clear()  # a fresh connection to this Redis
    from tests.factories import UserFactory

    victim = UserFactory()
    for _ in range(5):
        Client().post("/accounts/login/", {"username": victim.username, "password": "guess"}, REMOTE_ADDR="203.0.113.7")
    code = ("import sys; sys.path[:0] = ['platform', '.']; import django; django.setup(); from accounts.throttle import login_lockout; "
            f"lock = login_lockout(username={victim.username!r}, ip='198.51.100.1'); print(lock.scope if lock else 'none')")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hotpath.settings", "CACHE_URL": f"{url}/1"}
    other = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip().splitlines()[-1] == "account"
