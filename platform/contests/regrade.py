"""Re-grading a contest entry for verification: the same files, the same challenge version and
device, a fresh grading (the supervisor draws a new secret seed inside the sandbox, so every
input and key differs from the original run). The result is returned, never recorded as the
submission's Result: the original stays what the candidate was graded with."""
from __future__ import annotations

import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

from django.conf import settings

from graders import verdicts
from graders.pipeline import GradeJob, JobError, grade
from graders.result import GradeResult
from submissions.models import Submission


def regrade_submission(*, submission: Submission, seed: int | None = None) -> GradeResult:
    """Grade `submission` again. `seed` None (verification) lets the supervisor draw a fresh
    secret; tests replay a known one."""
    version = submission.challenge_version
    with tempfile.TemporaryDirectory(prefix="hotpath-reverify-") as tmp:
        with tarfile.open(fileobj=BytesIO(bytes(version.package_archive)), mode="r:gz") as tar:
            tar.extractall(tmp, filter="data")
        (package_dir,) = [p for p in Path(tmp).iterdir() if p.is_dir()]
        job = GradeJob(
            slug=version.challenge.slug,
            files=submission.files,
            device=submission.device,
            device_class=submission.device_class if submission.device != "cpu" else None,
            backend=settings.HOTPATH_SANDBOX_BACKEND,
            package_dir=package_dir,
            gpu=settings.HOTPATH_GPU_INDEX if submission.device == "cuda" else None,
            seed=seed,
        )
        try:
            return grade(job)
        except JobError as exc:
            return GradeResult(verdict=verdicts.INTERNAL_ERROR, message=f"cannot grade: {exc}")
