"""The web as compose.yaml runs it: gunicorn with the production settings, answering the probes,
refusing an oversized body with a 413 and showing no debug page."""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

GUNICORN = Path(sys.executable).parent / "gunicorn"
pytestmark = pytest.mark.skipif(not GUNICORN.is_file(), reason="gunicorn is not installed in this environment")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hotpath.settings_production", "SECRET_KEY": secrets.token_urlsafe(64),
           "ALLOWED_HOSTS": "localhost,127.0.0.1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "CACHE_URL": "locmemcache://", "HOTPATH_BROKER_DIR": str(tmp_path / "broker"), "LOG_FORMAT": "json"}
    env.pop("DEBUG", None)
    proc = subprocess.Popen([str(GUNICORN), "hotpath.wsgi:application", "--chdir", "platform", "--bind", f"127.0.0.1:{port}",
                             "--workers", "1", "--timeout", "60"], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)
            break
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    try:
        assert proc.poll() is None, proc.stdout.read()
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test reads the redirect itself


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, **headers):
    try:
        with _OPENER.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def test_gunicorn_serves_the_probes_and_redirects_the_site_to_https(gunicorn):
    assert _get(gunicorn + "/healthz")[0] == 200
    status, _, body = _get(gunicorn + "/readyz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    status, headers, _ = _get(gunicorn + "/accounts/login/")  # plain HTTP: sent to HTTPS
    assert status == 301 and headers["Location"].startswith("https://")
    status, headers, body = _get(gunicorn + "/accounts/login/", **{"X-Forwarded-Proto": "https"})
    assert status == 200 and "max-age=31536000" in headers["Strict-Transport-Security"] and headers["X-Frame-Options"] == "DENY"


def test_gunicorn_shows_no_debug_page_and_refuses_a_huge_body(gunicorn):
    status, _, body = _get(gunicorn + "/no-such-page/", **{"X-Forwarded-Proto": "https"})
    assert status == 404 and "Traceback" not in body and "settings" not in body.lower() and "DEBUG" not in body
    port = int(gunicorn.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST /api/submissions/ HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-Proto: https\r\nContent-Type: application/json\r\n"
                     f"Content-Length: {300 << 20}\r\nConnection: close\r\n\r\n".encode() + b"{" * 65536)
        answer = b""
        while b"larger than" not in answer and len(answer) < 65536:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
        answer = answer.decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413") and "larger than" in answer
