"""`make run`: web and grading worker in the foreground; prints the URL once it answers.

Ctrl-C stops both. Uses the embedded defaults: SQLite and kombu's filesystem broker.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = os.environ.get("HOTPATH_HOST", "127.0.0.1")
PORT = os.environ.get("HOTPATH_PORT", "8000")
URL = f"http://{HOST}:{PORT}/"
# Development: Django's debug pages, which hotpath.settings leaves off unless DEBUG is set.
DEV_ENVIRONMENT = {"DEBUG": "1"}


def main() -> int:
    for name, value in DEV_ENVIRONMENT.items():
        os.environ.setdefault(name, value)  # the web server and the worker inherit it
    python = sys.executable
    queue = f"grade.{os.environ.get('HOTPATH_DEVICE_CLASS', 'cpu')}"
    procs = [
        subprocess.Popen([python, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"], cwd=ROOT),
        subprocess.Popen([python, "-m", "celery", "-A", "hotpath", "--workdir", "platform", "worker", "-Q", queue, "-P", "solo", "--loglevel", "INFO"], cwd=ROOT),
    ]
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    announced = False
    while not stopping:
        if any(p.poll() is not None for p in procs):
            print("a Hotpath process exited; stopping the others", file=sys.stderr)
            break
        if not announced and _answers(URL):
            print(f"\nHotpath is running at {URL}  (log in as demo / hotpath-demo; Ctrl-C stops it)\n", flush=True)
            announced = True
        time.sleep(0.5)
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0 if stopping else 1


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


if __name__ == "__main__":
    sys.exit(main())
