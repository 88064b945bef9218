"""DEBUG is off unless set (`make run` sets it); the production settings refuse to start without a
real SECRET_KEY and ALLOWED_HOSTS, and pass `manage.py check --deploy` with no warning."""
from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

PRINT_SETTINGS = ("import os, sys; sys.path[:0] = ['platform', '.']; import django; django.setup(); from django.conf import settings; "
                  "print(settings.DEBUG, settings.CACHES['default']['BACKEND'], settings.HOTPATH_WEBHOOK_ALLOW_PRIVATE)")


def _env(**values) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "CACHE_URL")}
    return {**env, **values}


def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=_env(**env), capture_output=True, text=True, timeout=120)


def _production(**extra) -> dict:
    return {"DJANGO_SETTINGS_MODULE": "hotpath.settings_production", "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "hotpath.example.com,localhost", **extra}


def test_debug_is_off_unless_set():
    assert not (REPO_ROOT / ".env").exists() or "DEBUG" not in (REPO_ROOT / ".env").read_text()
    default = _run(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="hotpath.settings")
    assert default.returncode == 0, default.stderr
    assert default.stdout.split()[0] == "False"
    assert _run(PRINT_SETTINGS, DJANGO_SETTINGS_MODULE="hotpath.settings", DEBUG="1").stdout.split()[0] == "True"


def test_make_run_turns_debug_on_for_its_processes(monkeypatch):
    spec = importlib.util.spec_from_file_location("run_dev", REPO_ROOT / "scripts" / "run_dev.py")
    run_dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_dev)
    seen = []

    class Exited:
        def __init__(self, args, **kwargs):
            seen.append((args, os.environ.get("DEBUG")))

        def poll(self):
            return 1

        def wait(self, timeout=None):
            return 1

    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.setattr(run_dev.subprocess, "Popen", Exited)
    monkeypatch.setattr(run_dev.signal, "signal", lambda *a: None)
    assert run_dev.main() == 1  # both "exited" at once
    assert [debug for _, debug in seen] == ["1", "1"] and "runserver" in seen[0][0]


def test_production_settings_pass_check_deploy_with_no_warning():
    proc = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=REPO_ROOT,
                          env=_env(**_production()), capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "System check identified no issues (0 silenced)." in proc.stdout


def test_production_settings_are_off_debug_shared_cache_no_private_webhooks():
    proc = _run(PRINT_SETTINGS, **_production(DEBUG="1"))
    assert proc.returncode == 0, proc.stderr
    debug, cache, private = proc.stdout.split()
    assert (debug, private) == ("False", "False")
    assert cache == "django.core.cache.backends.db.DatabaseCache"
    redis = _run(PRINT_SETTINGS, **_production(CACHE_URL="redis://redis:6379/1"))
    assert redis.stdout.split()[1] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize("secret_key", ["", "dev-only-insecure-key-change-me-in-production-0123456789", "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret_key):
    proc = _run(PRINT_SETTINGS, **_production(SECRET_KEY=secret_key))
    assert proc.returncode != 0 and "SECRET_KEY must be set to a long random value" in proc.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    proc = _run(PRINT_SETTINGS, **_production(ALLOWED_HOSTS=""))
    assert proc.returncode != 0 and "ALLOWED_HOSTS must name the site's host names" in proc.stderr


def test_production_logs_are_json_lines_and_celery_keeps_them():
    code = ("import sys; sys.path[:0] = ['platform', '.']; import django; django.setup(); import logging; "
            "from django.conf import settings; print(settings.CELERY_WORKER_HIJACK_ROOT_LOGGER); "
            "logging.getLogger('hotpath.check').warning('hello %s', 'world', extra={'submission_id': 'abc'})")
    proc = _run(code, **_production())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"
    line = json.loads(proc.stderr.strip().splitlines()[-1])
    assert (line["level"], line["logger"], line["message"], line["submission_id"]) == ("WARNING", "hotpath.check", "hello world", "abc")
