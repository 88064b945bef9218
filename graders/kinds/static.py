"""`static`: forbidden calls and constructs, found in the candidate's source before any sandbox."""
from __future__ import annotations

from typing import TYPE_CHECKING

from graders.result import GradeResult
from graders.static_checks import check_sources

if TYPE_CHECKING:
    from graders.pipeline import GradeJob
    from graders.spec import ChallengeSpec


def grade(*, job: GradeJob, spec: ChallengeSpec) -> GradeResult | dict:
    """The first finding's verdict (with every finding as a failed check), else a passing check."""
    findings = check_sources(files=job.files, forbidden_calls=spec.forbidden_calls, forbidden_constructs=spec.forbidden_constructs)
    if findings:
        first = findings[0]
        checks = [{"name": "static", "status": "fail", "detail": str(f)} for f in findings]
        return GradeResult(verdict=first.verdict, message=str(first), checks=checks)
    return {"name": "static", "status": "pass", "detail": "no forbidden calls; every file parses"}
