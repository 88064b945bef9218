"""Hotpath's harness around a KernelBench problem (`problem.py`, copied verbatim beside this file).

Trusted code: the supervisor (inputs, oracle) and the baseline worker load it, never the
candidate. Sizes come from the case (every module-level constant, set on the problem's module
while inputs are made and the model is built and called; the candidate's entry does the same
with its own module), random inputs from the harness's secret generator, and
model parameters from `torch.manual_seed(init_seed)` before `Model(*init_inputs)`, exactly as
the candidate's `hotpath_entry` builds `ModelNew`.
"""
from __future__ import annotations

import contextlib
import importlib.util
import json
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
_modules: dict[str, object] = {}
_models: dict[tuple, torch.nn.Module] = {}


def problem():
    if "problem" not in _modules:
        spec = importlib.util.spec_from_file_location(f"hotpath_kernelbench_{abs(hash(str(HERE)))}", HERE / "problem.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _modules["problem"] = module
    return _modules["problem"]


def cases(*, shapes, hidden_shapes, params):
    """One case per shape; `params.constants[i]` gives shape i's module constants (older
    packages: a shape lists the values of `params.constant_names`, in order)."""
    names = list(params.get("constant_names", []))
    tables = list(params.get("constants", []))
    out = []
    for hidden, group in ((False, shapes), (True, hidden_shapes)):
        for shape in group:
            index = len(out)
            if index < len(tables):
                constants = dict(tables[index])
            elif len(shape) == len(names):
                constants = dict(zip(names, shape))
            else:
                raise ValueError(f"shape {shape} must give one value per constant in {names}")
            label = ", ".join(f"{k}={v}" for k, v in zip(names, shape)) or "published sizes"
            out.append({"name": label, "constants": constants, "init_seed": 1000 + index, "hidden": hidden})
    if not out and tables:
        return [{"name": "sizes", "constants": dict(tables[0]), "init_seed": 1000}]
    return out or [{"name": "published sizes", "constants": {}, "init_seed": 1000}]


@contextlib.contextmanager
def _constants(module, values: dict):
    saved = {name: getattr(module, name) for name in values if hasattr(module, name)}
    try:
        for name, value in values.items():
            setattr(module, name, tuple(value) if isinstance(value, list) else value)
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


def make_inputs(case, *, dtype, device, generator):
    module = problem()
    seed = int(torch.randint(0, 2**62, (1,), generator=generator))
    with _constants(module, case.get("constants", {})), torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        args = list(module.get_inputs())
        init_inputs = _jsonable(list(module.get_init_inputs()))
    inputs = {"init_inputs": init_inputs, "init_seed": int(case["init_seed"]), "constants": dict(case.get("constants", {}))}
    for i, arg in enumerate(args):
        if isinstance(arg, torch.Tensor):
            arg = arg.to(device=device, dtype=dtype if arg.is_floating_point() else arg.dtype)
        inputs[f"input_{i}"] = _jsonable(arg) if not isinstance(arg, torch.Tensor) else arg
    return inputs


def expected(*, init_inputs, init_seed, constants=None, **inputs):
    """The source `Model` in float64 (its native dtype when it cannot run in float64)."""
    args = _ordered(inputs)
    with _constants(problem(), constants or {}):
        try:
            model = build_model(init_inputs=init_inputs, init_seed=init_seed, like=args, dtype=torch.float64, constants=constants)
            out = model(*[a.double() if _is_float(a) else a for a in args])
        except (RuntimeError, TypeError):
            model = build_model(init_inputs=init_inputs, init_seed=init_seed, like=args, constants=constants)
            out = model(*args)
    out = flatten(out)
    return out.double() if out.is_floating_point() else out


def baseline(*, init_inputs, init_seed, constants=None, **inputs):
    """The source `Model` as published: what the candidate's `ModelNew` is timed against."""
    args = _ordered(inputs)
    with _constants(problem(), constants or {}):
        model = build_model(init_inputs=init_inputs, init_seed=init_seed, like=args, constants=constants)
        with torch.no_grad():
            return flatten(model(*args))


def build_model(*, init_inputs, init_seed, like, dtype=None, constants=None):
    first = next((a for a in like if _is_float(a)), None)
    device = first.device if first is not None else torch.device("cpu")
    dtype = dtype or (first.dtype if first is not None else torch.float32)
    key = (json.dumps(init_inputs), init_seed, str(device), dtype, json.dumps(constants, sort_keys=True))
    if key not in _models:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(init_seed)
            model = problem().Model(*init_inputs)
        _models[key] = model.to(device=device, dtype=dtype)
    return _models[key]


def flatten(out):
    """A tuple or list of outputs becomes one flat tensor (the candidate's entry does the same);
    a number becomes a 0-dim tensor."""
    if isinstance(out, (tuple, list)):
        return torch.cat([torch.as_tensor(t).reshape(-1) for t in out])
    return out if isinstance(out, torch.Tensor) else torch.as_tensor(out)


def _ordered(inputs: dict) -> list:
    return [inputs[f"input_{i}"] for i in range(len(inputs))]


def _is_float(value) -> bool:
    return isinstance(value, torch.Tensor) and value.is_floating_point()


def _jsonable(value):
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, torch.Tensor):
        raise TypeError("get_init_inputs() returned a tensor; only plain values are supported")
    return value
