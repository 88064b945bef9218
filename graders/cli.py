"""`python -m graders grade|validate`: the same pipeline as `manage.py`, without Django."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from graders.pipeline import GradeJob, JobError, files_from_path, grade
from graders.result import GradeResult


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slug", help="challenge slug, from any catalog root")
    parser.add_argument("path", type=Path, help="a file (used as the entry file) or a folder of files")
    parser.add_argument("--backend", default="process", help="sandbox backend: process (default) or docker")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--device-class", default=None, help="e.g. h100, to pick per-class targets")
    parser.add_argument("--gpu", type=int, default=0, help="with --device cuda: the GPU index to grade on (default 0)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")


def run_grade(*, slug: str, path: Path, roots: list[Path], backend: str = "process", device: str = "cpu",
              device_class: str | None = None, gpu: int = 0) -> GradeResult:
    """Grade one file or folder; raises JobError for usage errors, returns the result otherwise."""
    from graders.catalog import challenge_roots, load_challenge
    from graders.catalog import UnknownChallenge
    from graders.spec import SpecError
    from sandbox.registry import RegistryError, backend_names

    if backend not in backend_names():
        raise JobError(f"unknown backend {backend!r}; known: {', '.join(backend_names())}")
    try:
        spec = load_challenge(slug, roots=challenge_roots(roots))
    except (UnknownChallenge, SpecError) as exc:
        raise JobError(str(exc)) from None
    files = files_from_path(path, entry_file=spec.entry_file)
    job = GradeJob(
        slug=slug, files=files, device=device, device_class=device_class, backend=backend, roots=roots,
        gpu=gpu if device == "cuda" else None,
    )
    try:
        return grade(job)
    except RegistryError as exc:
        raise JobError(str(exc)) from None


def grade_options(options: dict) -> dict:
    """`run_grade`'s keyword arguments from parsed `add_grade_arguments` options (argparse or Django)."""
    return {key: options[key] for key in ("slug", "path", "backend", "device", "device_class", "gpu")}


def print_result(result: GradeResult, *, as_json: bool, out=sys.stdout) -> None:
    data = result.as_dict()
    if as_json:
        out.write(json.dumps(data) + "\n")
        return
    out.write(f"verdict: {data['verdict']}\nscore:   {data['score']}\nmessage: {data['message']}\n")
    for check in data["checks"]:
        out.write(f"  [{check['status']}] {check['name']}: {check['detail']}\n")
    latency = data["metrics"].get("latency_ms")
    if isinstance(latency, dict):
        out.write(f"latency: median {latency['median']:.4f} ms (p10 {latency['p10']:.4f}, p90 {latency['p90']:.4f}, n={latency['n']})\n")
    if data["flags"]:
        out.write(f"flags:   {', '.join(data['flags'])}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m graders", description="Grade and validate Hotpath challenges without Django.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_grade_arguments(sub.add_parser("grade", help="grade one file or folder"))
    validate = sub.add_parser("validate", help="check every package's reference, starter and known_bad verdicts")
    from graders.validate import add_validate_arguments

    add_validate_arguments(validate)
    args = parser.parse_args(argv)
    try:
        if args.command == "grade":
            print_result(run_grade(**grade_options(vars(args)), roots=[]), as_json=args.json)
            return 0
        from graders.validate import run_validate, validate_options

        return run_validate(**validate_options(vars(args)), roots=[])
    except JobError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
