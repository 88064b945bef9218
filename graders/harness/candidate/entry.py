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


def describe_exception(exc: BaseException) -> dict:
    """The reply fields for an exception: type, message, traceback (capped), and the line of the
    candidate's code it came from (frames inside graders/harness are skipped)."""
    tb = traceback.format_exception(exc)
    detail = {"error_type": type(exc).__name__, "error": str(exc)[:2000], "traceback": "".join(tb)[-8000:]}
    if isinstance(exc, SyntaxError):
        detail["line"] = exc.lineno
    elif exc.__traceback__ is not None:
        frames = traceback.extract_tb(exc.__traceback__)
        candidate = [f for f in frames if "graders/harness" not in f.filename.replace(os.sep, "/")]
        if candidate:
            detail["line"] = candidate[-1].lineno
    return detail
