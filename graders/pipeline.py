"""One grading, start to finish: static checks, two bundles, the sandbox, the strict
result parse, scoring. Called by the Celery task, `manage.py grade` and `python -m graders`.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import sandbox
from graders import progress, scoring, verdicts
from graders.catalog import challenge_roots, load_challenge
from graders.harness.libraries import write_libraries
from graders.harness.phases import PACKAGE_FAULT
from graders.registry import in_stage_order, sandbox_steps
from graders.result import GradeResult, ResultError, parse_result
from graders.spec import ChallengeSpec, load_spec
from graders.submission_files import LIMITS, SubmissionFilesError, validate_submission_files

HARNESS_SRC = Path(__file__).resolve().parent / "harness"
KERNELS_SRC = Path(__file__).resolve().parent.parent / "kernels"
SANDBOX_MARGIN_S = 30.0  # imports and reference computation around the candidate's own limit
INTERNAL_RETRIES = 2


class JobError(ValueError):
    """The grading request itself is wrong (unknown challenge, bad files): a usage error."""


@dataclass(frozen=True)
class GradeJob:
    slug: str
    files: dict[str, str]
    device: str = "cpu"
    device_class: str | None = None
    backend: str = "process"
    roots: list[Path] = field(default_factory=list)
    gpu: int | None = None
    # Reference solutions may import `kernels/`; candidates may not (it holds solutions).
    with_kernels: bool = False
    # A snapshot of the package to grade against (e.g. the version a submission was made
    # on); when unset, the package is looked up by slug in the catalog roots.
    package_dir: Path | None = None
    # The supervisor's secret (inputs and keys derive from it). None, the default, lets the
    # supervisor draw a fresh one inside the sandbox; set only by trusted callers that replay a
    # grading (tests of seed-dependent submissions). Travels in private/job.json (0700).
    seed: int | None = None
    # Validation only (trusted callers): harness steps run after the spec's (e.g. "degeneracy"),
    # and `steps`, where set, the harness steps to run in place of the spec's.
    extra_steps: tuple[str, ...] = ()
    steps: tuple[str, ...] | None = None
    # Called with each progress event (graders/progress.py: a dict with `stage` and `label`) as
    # the grading reaches it: the static stages from here, the sandbox's from its supervisor.
    on_progress: Callable[[dict], None] | None = field(default=None, compare=False, repr=False)


def grade(job: GradeJob) -> GradeResult:
    """Grade, retrying platform failures (internal_error) a couple of times; not a package fault
    (the package itself cannot run within its limits: it would fail the same way again)."""
    spec = _load(job)
    result = _grade_once(job, spec)
    for _ in range(INTERNAL_RETRIES):
        if result.verdict not in verdicts.RETRYABLE or PACKAGE_FAULT in result.flags:
            break
        result = _grade_once(job, spec)
    return result


def files_from_path(path: Path, *, entry_file: str) -> dict[str, str]:
    """A single file becomes the entry file, whatever its name; a folder gives all its files."""
    path = Path(path)
    if path.is_file():
        return {entry_file: _read_text(path)}
    if path.is_dir():
        files = {p.name: _read_text(p) for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")}
        if not files:
            raise JobError(f"{path} holds no files")
        return files
    raise JobError(f"{path} does not exist")


def _read_text(path: Path) -> str:
    if path.stat().st_size > LIMITS.max_file_bytes:
        raise JobError(f"{path} is larger than {LIMITS.max_file_bytes // 1024} KiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise JobError(f"{path} is not UTF-8 text") from None


def _load(job: GradeJob) -> ChallengeSpec:
    from graders.catalog import UnknownChallenge
    from graders.spec import SpecError

    try:
        if job.package_dir is not None:
            spec = load_spec(job.package_dir)
        else:
            spec = load_challenge(job.slug, roots=challenge_roots(job.roots))
    except (UnknownChallenge, SpecError) as exc:
        raise JobError(str(exc)) from None
    if job.device not in ("cpu", "cuda"):
        raise JobError(f"unknown device {job.device!r}; use cpu or cuda")
    if spec.kind not in ("written", "quiz") and job.device not in spec.device_kinds():
        raise JobError(f"{spec.slug} has no [devices.{job.device}] table; it runs on {', '.join(spec.device_kinds())}")
    try:
        validate_submission_files(job.files)
    except SubmissionFilesError as exc:
        raise JobError(str(exc)) from None
    return spec


def _grade_once(job: GradeJob, spec: ChallengeSpec) -> GradeResult:
    """The spec's graders in stage order: each static and answer kind's handler in turn (a
    verdict ends the grading), then one sandbox run for all the sandbox kinds."""
    passed: list[dict] = []
    for kind in in_stage_order(spec.graders):
        if kind.stage == "sandbox":
            break
        _report(job, {"stage": kind.name})
        outcome = kind.handler(job=job, spec=spec)
        if isinstance(outcome, GradeResult):
            outcome.checks[:0] = passed
            return outcome
        passed.append(outcome)
    return _grade_in_sandbox(job, spec, passed=passed)


def _grade_in_sandbox(job: GradeJob, spec: ChallengeSpec, *, passed: list[dict]) -> GradeResult:
    """One sandbox run for every sandbox kind, then the score from the spec's tiers."""
    device_spec = spec.device(kind=job.device, device_class=job.device_class)
    try:
        result = _run_in_sandbox(job, spec, device_spec)
    except Exception as exc:  # noqa: BLE001 - the platform failed, not the candidate
        return GradeResult(verdict=verdicts.INTERNAL_ERROR, message=f"platform failure: {type(exc).__name__}: {exc}")
    result.checks[:0] = passed
    metric = scoring.target_metric(device_spec.targets)
    tiers = device_spec.tiers(metric)
    result.score = scoring.score(formula=spec.scoring, verdict=result.verdict, speedup=result.metrics.get(metric), tiers=tiers)
    result.metrics["tier"] = scoring.tier_reached(speedup=result.metrics.get(metric), tiers=tiers) if result.verdict == verdicts.ACCEPTED else None
    return result


def _run_in_sandbox(job: GradeJob, spec: ChallengeSpec, device_spec) -> GradeResult:
    workspace = Path(tempfile.mkdtemp(prefix="hotpath-grade-"))
    os.chmod(workspace, 0o711)  # workers (another uid) may traverse it, never list it
    try:
        bundle, worker_bundle = _write_bundles(workspace, job, spec, device_spec)
        limits = sandbox.SandboxLimits(
            wall_s=float(device_spec.limits.get("wall_s", 60)) + SANDBOX_MARGIN_S,
            memory_mb=int(device_spec.limits.get("memory_mb", 2048)),
            pids=int(device_spec.limits.get("pids", 256)),
        ).clamped(sandbox.server_caps())
        sandbox_job = sandbox.SandboxJob(
            argv=("{python}", "-m", "graders.harness", "--bundle", "{bundle}", "--worker-bundle", "{worker_bundle}", "--scratch", "."),
            bundle=bundle,
            worker_bundle=worker_bundle,
            limits=limits,
            env={"PYTHONPATH": "{bundle}/lib"},
            gpu=(0 if job.gpu is None else job.gpu) if job.device == "cuda" else None,  # a CUDA job always holds a GPU slot
            label=f"hotpath-{spec.slug}",
            on_stdout_line=_progress_relay(job) if job.on_progress else None,
        )
        outcome = sandbox.run(sandbox_job, backend=job.backend)
        return _interpret(outcome)
    finally:
        shutil.rmtree(workspace, ignore_errors=True)


def _report(job: GradeJob, event: dict) -> None:
    cleaned = progress.clean(event)
    if job.on_progress is not None and cleaned is not None:
        job.on_progress(cleaned)


def _progress_relay(job: GradeJob) -> Callable[[bytes], None]:
    """The sandbox's stdout lines -> progress events (the supervisor's; any other line is ignored)."""

    def relay(line: bytes) -> None:
        event = progress.parse_line(line)
        if event is not None:
            job.on_progress(event)

    return relay


def _write_bundles(workspace: Path, job: GradeJob, spec: ChallengeSpec, device_spec) -> tuple[Path, Path]:
    bundle = workspace / "bundle"
    # lib/ (supervisor only, 0700), worker_lib/ (the worker side), trusted_lib/: see libraries.py
    write_libraries(bundle, HARNESS_SRC, KERNELS_SRC if job.with_kernels else None)
    sandbox.ship_runtime(bundle / "lib")  # the jail's one privileges/seccomp/fork-server source, which the harness imports
    private = bundle / "private"
    shutil.copytree(spec.root, private / "package", ignore=shutil.ignore_patterns("__pycache__", "starter", "known_bad"))
    (private / "job.json").write_text(json.dumps(_job_document(job, spec, device_spec)))
    os.chmod(bundle, 0o755)
    os.chmod(private, 0o700)
    worker_bundle = workspace / "candidate"
    worker_bundle.mkdir()
    for name, text in job.files.items():
        (worker_bundle / name).write_text(text, encoding="utf-8")
        os.chmod(worker_bundle / name, 0o644)
    os.chmod(worker_bundle, 0o755)
    return bundle, worker_bundle


def _job_document(job: GradeJob, spec: ChallengeSpec, device_spec) -> dict:
    tolerance = device_spec.tolerance
    return {
        "slug": spec.slug,
        "kind": spec.kind,
        "device": "cuda" if job.device == "cuda" else "cpu",
        "device_class": job.device_class,
        "entry": {"file": spec.entry_file, "callable": spec.entry_callable},
        "graders": [*(sandbox_steps(spec.graders) if job.steps is None else job.steps), *job.extra_steps],
        "harness": spec.harness,
        **({"seed": int(job.seed)} if job.seed is not None else {}),
        # Op names (`aten::...`) ride in the same list to the worker, which blocks them at the
        # dispatcher (graders/harness/candidate/op_blocks.py); the supervisor forwards it unchanged.
        "forbidden_calls": [*spec.forbidden_calls, *spec.forbidden_ops],
        "device_spec": {
            "shapes": device_spec.shapes,
            "hidden_shapes": device_spec.hidden_shapes,
            "tolerance": {"metric": tolerance.metric, "per_dtype": tolerance.per_dtype} if tolerance else {"metric": "rel_l2", "per_dtype": {"float32": 1e-4}},
            "limits": device_spec.limits,
            "params": device_spec.params,
        },
    }


def _interpret(outcome: sandbox.SandboxResult) -> GradeResult:
    """The supervisor's result if it gave a valid one; else what the sandbox saw."""
    stderr_tail = outcome.stderr.decode("utf-8", "replace")[-4000:]
    try:
        result = parse_result(outcome.stdout)
    except ResultError as exc:
        result = None
        parse_problem = str(exc)
    peak = f"; the sandbox's peak {outcome.peak_memory_mb:.0f} MiB" if outcome.peak_memory_mb else ""
    if result is not None:
        if outcome.oom_killed and result.verdict in (verdicts.RUNTIME_ERROR, verdicts.INTERNAL_ERROR) and PACKAGE_FAULT not in result.flags:
            result.verdict = verdicts.MEMORY_LIMIT_EXCEEDED
            result.message = f"the memory limit was reached ({result.message}{peak})"
        return result
    if outcome.timeout:
        return GradeResult(verdict=verdicts.TIME_LIMIT_EXCEEDED, message=f"the sandbox's wall-time limit was reached after {outcome.wall_s:.1f} s "
                           "and the supervisor was stopped before it wrote a result (phase unknown)", log=stderr_tail)
    if outcome.oom_killed:
        return GradeResult(verdict=verdicts.MEMORY_LIMIT_EXCEEDED, message=f"the memory limit was reached{peak} and the supervisor was stopped "
                           "before it wrote a result (phase unknown)", log=stderr_tail)
    if outcome.output_limited:
        return GradeResult(verdict=verdicts.OUTPUT_LIMIT_EXCEEDED, message="output over the limit", log=stderr_tail)
    reason = outcome.error or f"no valid result ({parse_problem}); exit status {outcome.exit_code}"
    return GradeResult(verdict=verdicts.INTERNAL_ERROR, message=f"platform failure: {reason}", log=stderr_tail)
