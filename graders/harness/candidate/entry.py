"""Worker side, in the candidate's process: importing the entry point and describing what it raised.

`load_entry` executes the candidate's module (after the worker has bound its clocks and set
the dispatcher block); `describe_exception` turns whatever it raised into a reply the
supervisor checks (replies.py), naming the candidate's own line, not the harness's.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from pathlib import Path

from graders.harness.shared.memcap import cap_data


def pin_to(cpus) -> None:
    """Run on the CPUs the supervisor chose (the cpu device's latency grading puts the supervisor
    and both workers on one core: the same core for both sides, and round trips without
    cross-core wake-ups)."""
    if not cpus:
        return
    try:
        os.sched_setaffinity(0, {int(c) for c in cpus})
    except (OSError, ValueError, TypeError):
        pass


def cap_own_memory(limit_mb) -> None:
    """The trusted baseline's worker caps its own allocations at the sandbox's whole limit (the
    supervisor asks for it in the baseline's load only): a reference that alone needs more fails
    with an allocation error, reported as the package's fault, not killed with the sandbox full."""
    if isinstance(limit_mb, (int, float)) and not isinstance(limit_mb, bool) and limit_mb > 0:
        cap_data(float(limit_mb))


def load_entry(path: Path, callable_name: str):
    """Import the file at `path` as a top-level module (its folder first on sys.path) and return
    its `callable_name`."""
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} was not submitted")
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    fn = getattr(module, callable_name, None)
    if not callable(fn):
        raise AttributeError(f"{path.name} defines no callable {callable_name!r}")
    return fn


def describe_exception(exc: BaseException, *, code_dir: Path | None = None) -> dict:
    """The reply fields for an exception: type, message, traceback (capped), and the file and line
    of the candidate's own code it came from: the innermost frame in a file under `code_dir` (the
    submitted files), not one inside torch or the harness, which the candidate's call only reached.
    Without `code_dir`, the innermost frame outside graders/harness."""
    tb = traceback.format_exception(exc)
    detail = {"error_type": type(exc).__name__, "error": str(exc)[:2000], "traceback": "".join(tb)[-8000:]}
    if isinstance(exc, SyntaxError):
        detail["line"] = exc.lineno
        if exc.filename:
            detail["file"] = Path(exc.filename).name
    elif exc.__traceback__ is not None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _is_candidates(f.filename, code_dir)]
        if frames:
            detail["line"] = frames[-1].lineno
            detail["file"] = _shown_name(frames[-1].filename, code_dir)
    return detail


def _is_candidates(filename: str, code_dir: Path | None) -> bool:
    path = filename.replace(os.sep, "/")
    if code_dir is None:
        return "graders/harness" not in path
    return path.startswith(str(code_dir).replace(os.sep, "/").rstrip("/") + "/")


def _shown_name(filename: str, code_dir: Path | None) -> str:
    if code_dir is None:
        return Path(filename).name
    return Path(filename).relative_to(code_dir).as_posix() if Path(filename).is_relative_to(code_dir) else Path(filename).name
