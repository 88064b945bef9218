"""A real Celery grading worker whose sandbox pipeline is a fast stand-in: for the fault and
routing tests (test_faults.py), which exercise the queue, the workers, Redis and PostgreSQL,
not the sandbox (real gradings through a real worker: test_celery_worker.py).

Run as `fault_worker.py worker -n NODE -Q QUEUE ...` (celery's own arguments). The stand-in
sleeps FAULT_GRADE_S, then answers `accepted` with the node and pid in its message; it logs
`start` and `done` lines (the submission's marker, node, pid) to FAULT_GRADINGS_LOG, so a test can
see which worker graded what, and kill a process that is mid-grade.
"""
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotpath.settings")

import django  # noqa: E402

django.setup()

import submissions.services  # noqa: E402
from graders.result import GradeResult  # noqa: E402


def _log(event: str, job) -> None:
    marker = job.files.get("marker.txt", "?").strip()
    line = f"{event} {marker} {os.environ.get('FAULT_NODE', '?')} {os.getpid()} {job.device_class or job.device}\n"
    fd = os.open(os.environ["FAULT_GRADINGS_LOG"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line.encode())  # one write on an O_APPEND file: lines never interleave
    finally:
        os.close(fd)


def fast_grade(job) -> GradeResult:
    _log("start", job)
    time.sleep(float(os.environ.get("FAULT_GRADE_S", "0.3")))
    _log("done", job)
    return GradeResult(verdict="accepted", score=40.0, message=f"graded by {os.environ.get('FAULT_NODE')} pid {os.getpid()}")


submissions.services.grade = fast_grade
submissions.services._extract_package = lambda archive, into: into  # nothing to unpack for the stand-in

if __name__ == "__main__":
    from hotpath.celery import app

    app.worker_main(sys.argv[1:])
