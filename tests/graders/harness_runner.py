"""Grade a fixture package straight through the harness (no sandbox backend around it).

The pipeline's `grade()` is the real path (tests/hostile/test_end_to_end.py uses it); this
runner builds the same two bundles with the pipeline's own code, applies the same static
checks, and runs `python -m graders.harness` as a plain child process, so that the harness's
own defences are tested apart from the sandbox's (whose state is another issue's).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from graders import pipeline, scoring
from graders.catalog import challenge_roots, load_challenge
from graders.result import GradeResult, ResultError, parse_result
from graders.static_checks import check_sources

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def grade_direct(slug: str, files: dict[str, str], *, device: str = "cpu", roots=(FIXTURES,), timeout: float = 300) -> GradeResult:
    spec = load_challenge(slug, roots=challenge_roots(list(roots)))
    device_spec = spec.device(kind=device)
    if "static" in spec.graders:
        findings = check_sources(files=files, forbidden_calls=spec.forbidden_calls, forbidden_constructs=spec.forbidden_constructs)
        if findings:
            return GradeResult(verdict=findings[0].verdict, message=str(findings[0]), checks=[{"name": "static", "status": "fail", "detail": str(f)} for f in findings])
    job = pipeline.GradeJob(slug=slug, files=files, device=device, roots=list(roots))
    workspace = Path(tempfile.mkdtemp(prefix="hotpath-direct-"))
    os.chmod(workspace, 0o711)
    try:
        bundle, worker_bundle = pipeline._write_bundles(workspace, job, spec, device_spec)
        scratch = workspace / "scratch"
        scratch.mkdir()
        os.chmod(scratch, 0o711)
        env = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG")}
        env["PYTHONPATH"] = str(bundle / "lib")
        proc = subprocess.run(
            [sys.executable, "-m", "graders.harness", "--bundle", str(bundle), "--worker-bundle", str(worker_bundle), "--scratch", str(scratch)],
            cwd=scratch, env=env, capture_output=True, timeout=timeout,
        )
        try:
            result = parse_result(proc.stdout)
        except ResultError as exc:
            return GradeResult(verdict="internal_error", message=f"no valid result ({exc}); exit status {proc.returncode}", log=proc.stderr.decode("utf-8", "replace")[-4000:])
        if result.verdict == "internal_error":
            result.log += "\n[supervisor stderr]\n" + proc.stderr.decode("utf-8", "replace")[-6000:]
        result.score = scoring.score(formula=spec.scoring, verdict=result.verdict, speedup=result.metrics.get("speedup"), tiers=device_spec.tiers("speedup"))
        return result
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
