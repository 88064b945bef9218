"""The challenge's trusted functions, loaded by the supervisor from its private bundle."""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import torch

from graders.harness.shared.channel import DTYPES


def load_ref(package_dir: Path, ref: str) -> Callable:
    """Load `file.py:function` from the package."""
    file_part, _, attr = ref.partition(":")
    path = package_dir / file_part
    name = "hotpath_challenge_" + hashlib.sha1(str(path).encode()).hexdigest()[:10]
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(package_dir))
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return getattr(sys.modules[name], attr)


@dataclass
class Case:
    name: str
    params: dict[str, Any]
    hidden: bool
    timed: bool


@dataclass
class Challenge:
    """What the supervisor needs from a package: cases, inputs, the oracle, the baseline.

    `guard(what)`, where given, is entered around every run of the package's input maker and
    oracle (the supervisor's PhaseClock.oracle: timed, allocations capped)."""

    package_dir: Path
    job: dict
    guard: Callable[[str], Any] | None = None

    def __post_init__(self) -> None:
        refs = self.job["harness"]
        self.make_inputs = load_ref(self.package_dir, refs["inputs"])
        self.expected_fn = load_ref(self.package_dir, refs["expected"])
        self.check_fn = load_ref(self.package_dir, refs["check"]) if "check" in refs else None
        self.cases_fn = load_ref(self.package_dir, refs["cases"]) if "cases" in refs else None
        self.baseline_ref = refs.get("baseline")

    @property
    def device_spec(self) -> dict:
        return self.job["device_spec"]

    def cases(self) -> list[Case]:
        spec = self.device_spec
        if self.cases_fn is not None:
            raw = self.cases_fn(shapes=spec["shapes"], hidden_shapes=spec["hidden_shapes"], params=spec["params"])
        else:
            raw = [{"shape": s} for s in spec["shapes"]] + [{"shape": s, "hidden": True} for s in spec["hidden_shapes"]]
        cases = []
        for params in raw:
            params = dict(params)
            hidden = bool(params.pop("hidden", False))
            timed = bool(params.pop("timed", not hidden))
            name = params.pop("name", None) or _case_name(params)
            cases.append(Case(name=name, params=params, hidden=hidden, timed=timed))
        return cases

    def inputs(self, case: Case, *, dtype: str, device: torch.device, seed: int) -> dict[str, Any]:
        generator = torch.Generator(device="cpu").manual_seed(seed)
        with self._guarded(f"making the inputs of {case.name} ({dtype})"):
            return self.make_inputs(dict(case.params), dtype=DTYPES[dtype], device=device, generator=generator)

    def expected(self, inputs: dict[str, Any]) -> Any:
        with self._guarded(f"the float64 expected output for {describe_inputs(inputs)}"):
            copies = {k: v.clone() if isinstance(v, torch.Tensor) else v for k, v in inputs.items()}
            with torch.no_grad():
                return self.expected_fn(**copies)

    def _guarded(self, what: str):
        return self.guard(what) if self.guard is not None else nullcontext()


def describe_inputs(inputs: dict[str, Any], *, most: int = 4) -> str:
    """`x (4096, 4096) float32, ...`: the tensors of an input set, for messages."""
    parts = [f"{k} {tuple(v.shape)} {str(v.dtype).removeprefix('torch.')}" for k, v in inputs.items() if isinstance(v, torch.Tensor)]
    text = ", ".join(parts[:most]) + (f" and {len(parts) - most} more" if len(parts) > most else "")
    return f"inputs {text}" if text else "inputs without tensors"


def _case_name(params: dict) -> str:
    parts = []
    for key, value in params.items():
        if key == "shape":
            parts.insert(0, f"shape {tuple(value)}")
        elif value is True:
            parts.append(key)
        elif value is not False:
            parts.append(f"{key}={value}")
    return " ".join(parts) or "case"


def split_tensors(inputs: dict[str, Any]) -> tuple[dict, list[torch.Tensor]]:
    """Turn kwargs into a channel-ready spec (`{"tensor": i}` placeholders) plus the tensors."""
    spec, tensors = {}, []
    for name, value in inputs.items():
        if isinstance(value, torch.Tensor):
            spec[name] = {"tensor": len(tensors)}
            tensors.append(value)
        else:
            spec[name] = value
    return spec, tensors
