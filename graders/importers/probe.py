"""Host side: run `probe_in_sandbox.py` over one written package, in the sandbox, under limits.

Problem code never runs on the host at import: this only builds a bundle (the probe, its
helpers and the package's trusted files), starts the sandbox and reads the one JSON line back.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import sandbox

HERE = Path(__file__).resolve().parent
PROBE_FILES = ("probe_in_sandbox.py", "probe_trials.py", "sizes.py")
# What one CPU case may cost: one float64 reference call, the peak memory of a trial, inputs.
CPU_BUDGET = {"seconds": 0.75, "peak_mb": 768, "input_mb": 16}
PROBE_LIMITS = sandbox.SandboxLimits(wall_s=150, memory_mb=3072, pids=64)


def probe_package(*, package: Path, fmt: str, cases: list | None = None, budget: dict = CPU_BUDGET, backend: str = "process") -> dict:
    """The probe's answer for the package's problem ({"ok": False, "reason": ...} when it gave none)."""
    workspace = Path(tempfile.mkdtemp(prefix="hotpath-probe-"))
    try:
        bundle = _write_bundle(workspace, package=package, request={"format": fmt, "cases": cases or [], "budget": budget})
        job = sandbox.SandboxJob(
            argv=("{python}", "-m", "probe_in_sandbox", "{bundle}/request.json"),
            bundle=bundle, limits=PROBE_LIMITS.clamped(sandbox.server_caps()),
            env={"PYTHONPATH": "{bundle}/lib", "CUDA_VISIBLE_DEVICES": ""}, label="hotpath-import-probe",
        )
        return _answer(sandbox.run(job, backend=backend))
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _write_bundle(workspace: Path, *, package: Path, request: dict) -> Path:
    bundle = workspace / "bundle"
    (bundle / "lib").mkdir(parents=True)
    for name in PROBE_FILES:
        shutil.copyfile(HERE / name, bundle / "lib" / name)
    shutil.copytree(package / "tests", bundle / "package", ignore=shutil.ignore_patterns("__pycache__"))
    request = {**request, "package": "/sandbox/bundle/package"}
    (bundle / "request.json").write_text(json.dumps(request))
    for path in [bundle, *bundle.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return bundle


def _answer(outcome: sandbox.SandboxResult) -> dict:
    lines = outcome.stdout.decode("utf-8", "replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        answer = None
    if isinstance(answer, dict) and "ok" in answer:
        return answer
    if outcome.timeout:
        return {"ok": False, "reason": f"sizing took longer than {PROBE_LIMITS.wall_s:g} s"}
    if outcome.oom_killed:
        return {"ok": False, "reason": f"sizing ran out of its {PROBE_LIMITS.memory_mb} MB"}
    tail = outcome.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [outcome.error or f"exit status {outcome.exit_code}"]
    return {"ok": False, "reason": f"the sizing probe gave no answer ({tail[0][:200]})"}
