"""The `hotpath` CLI runs as a subprocess (the installed console script when there is one)
against a live server started by the test."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token

REPO = Path(__file__).resolve().parents[3]


def _command() -> list[str]:
    script = Path(sys.executable).parent / "hotpath"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "hotpath_cli.main"]


def run_cli(*args, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([*_command(), *args], capture_output=True, text=True, env=env, timeout=timeout)


def start_cli(*args, env) -> subprocess.Popen:
    return subprocess.Popen([*_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture
def cli_env(tmp_path, live_server):
    """A clean config dir and the live server's URL; no token unless a test gives one."""
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config"), "PYTHONPATH": os.pathsep.join([str(REPO / "platform"), *sys.path])}
    for name in ("HOTPATH_TOKEN", "HOTPATH_PASSWORD"):
        env.pop(name, None)
    env["HOTPATH_URL"] = live_server.url
    env["HOTPATH_POLL_S"] = "0.2"
    return env


@pytest.fixture
def token_env(cli_env, user):
    return {**cli_env, "HOTPATH_TOKEN": Token.objects.create(user=user).key}


@pytest.fixture
def workdir(tmp_path):
    path = tmp_path / "work"
    path.mkdir()
    yield path
    shutil.rmtree(path, ignore_errors=True)
