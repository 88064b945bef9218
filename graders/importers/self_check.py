"""An imported package validates itself on the CPU (host side; the grading runs in the sandbox):
its reference graded as a submission must be accepted, and the `degeneracy` check run in the
same grading says whether a wrong answer can be told from a right one."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graders import verdicts
from graders.pipeline import GradeJob, JobError, grade
from graders.spec import load_spec
from graders.validate import DEGENERACY_STEPS, subject_files


# Correctness decides whether the package grades at all; timing adds nothing to that, and the
# probe has already bounded one reference call. The degeneracy check runs first: it never ends a
# grading, so a package whose reference fails is still known to be degenerate or not.
CHECKED_STEPS = (*DEGENERACY_STEPS, "correctness")


@dataclass(frozen=True)
class SelfCheck:
    cpu_ok: bool
    degenerate: bool
    reason: str = ""


def self_check(*, package: Path, backend: str = "process") -> SelfCheck:
    spec = load_spec(package)
    try:
        files = subject_files(spec, spec.path("reference"))
        job = GradeJob(slug=spec.slug, files=files, device="cpu", backend=backend, package_dir=package,
                       steps=CHECKED_STEPS)
        result = grade(job)
    except JobError as exc:
        return SelfCheck(cpu_ok=False, degenerate=False, reason=f"its reference cannot be graded ({exc})")
    check = next((c for c in result.checks if c["name"] == "degeneracy"), None)
    degenerate = check is not None and check["status"] == "fail"
    if degenerate:
        return SelfCheck(cpu_ok=result.verdict == verdicts.ACCEPTED, degenerate=True, reason=check["detail"].removeprefix("degenerate: "))
    if result.verdict != verdicts.ACCEPTED:
        return SelfCheck(cpu_ok=False, degenerate=False, reason=f"its own reference is not accepted on the CPU ({result.verdict}: {result.message[:200]})")
    return SelfCheck(cpu_ok=True, degenerate=False, reason=check["detail"] if check else "degeneracy not checked")
