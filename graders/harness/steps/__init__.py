"""Sandbox-stage graders (supervisor side, trusted), one module each; every module in this
folder registers its steps. Checks they share live outside it, in graders/harness/output_checks.py.

A step is a function of the supervisor's `Session`: it returns normally when its check
passed (recording details on the session) or raises `Outcome` with the verdict.
"""
from __future__ import annotations

import importlib
import pkgutil
from typing import Callable

STEPS: dict[str, Callable] = {}


def step(name: str):
    """Register a step; names are unique and each must be a plain function."""

    def register(fn):
        if name in STEPS:
            raise ValueError(f"step {name!r} is already registered")
        if not callable(fn):
            raise ValueError(f"step {name!r} must be callable")
        STEPS[name] = fn
        return fn

    return register


def load_steps() -> dict[str, Callable]:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return STEPS
