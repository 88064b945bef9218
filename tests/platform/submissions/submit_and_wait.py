"""Run as a script by the Celery tests: wait until the worker has announced itself (its
heartbeat makes the cpu class live), submit through the real service, wait for the grading.

Prints one JSON line: the submission's final status and verdict.
"""
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotpath.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import transaction  # noqa: E402

from catalog.models import Challenge  # noqa: E402
from submissions.services import submission_create  # noqa: E402
from workers.selectors import live_device_class  # noqa: E402


def wait_for_worker(device_class: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while live_device_class(name=device_class) is None:
        if time.monotonic() > deadline:
            sys.exit(f"no {device_class} worker announced itself within {timeout:g} s")
        time.sleep(0.5)


def main() -> None:
    slug, code = sys.argv[1], Path(sys.argv[2]).read_text()
    user, _ = User.objects.get_or_create(username="celery-e2e")
    wait_for_worker("cpu", float(os.environ.get("E2E_WORKER_TIMEOUT", "120")))
    with transaction.atomic():  # the task is queued on commit
        submission = submission_create(user=user, challenge=Challenge.objects.get(slug=slug), files={"solution.py": code})
    deadline = time.monotonic() + float(os.environ.get("E2E_TIMEOUT", "180"))
    while time.monotonic() < deadline:
        submission.refresh_from_db()
        if submission.is_done:
            break
        time.sleep(0.5)
    result = getattr(submission, "result", None)
    print(json.dumps({"status": submission.status, "verdict": result.verdict if result else None, "score": result.score if result else None}))


if __name__ == "__main__":
    main()
