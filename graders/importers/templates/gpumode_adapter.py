"""Hotpath's harness around a GPU MODE problem (`reference.py`, `task.yml` and helpers, copied
verbatim beside this file).

Trusted code: the supervisor (inputs, oracle, check) and the baseline worker load it, never
the candidate. `generate_input(**kwargs)` runs with its `seed` replaced by one drawn from the
harness's secret generator; `data` travels to the candidate as named values (`arg_0`, ...)
plus a `layout` that the candidate's `hotpath_entry` uses to rebuild it.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
_modules: dict[str, object] = {}
SCALARS = (int, float, bool, str, type(None))


def reference():
    if "reference" not in _modules:
        if str(HERE) not in sys.path:
            sys.path.insert(0, str(HERE))  # reference.py imports task.py / utils.py beside it
        spec = importlib.util.spec_from_file_location("reference", HERE / "reference.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["reference"] = module
        spec.loader.exec_module(module)
        _modules["reference"] = module
    return _modules["reference"]


def cases(*, shapes, hidden_shapes, params):
    """`params.timed` cases are checked and timed; `params.checked` ones are only checked."""
    out = [{"name": _label(kw), "kwargs": dict(kw)} for kw in params.get("timed", [])]
    out += [{"name": _label(kw), "kwargs": dict(kw), "hidden": True} for kw in params.get("checked", [])]
    return out


def _label(kwargs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in kwargs.items() if k != "seed") or "default"


def make_inputs(case, *, dtype, device, generator):
    kwargs = dict(case["kwargs"])
    seed = int(torch.randint(0, 2**31 - 1, (1,), generator=generator))
    if "seed" in kwargs:
        kwargs["seed"] = seed
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        data = reference().generate_input(**kwargs)
    return pack(data, device=device)


def pack(data, *, device) -> dict:
    if isinstance(data, torch.Tensor):
        layout, items = {"kind": "single"}, [data]
    elif isinstance(data, (tuple, list)):
        layout, items = {"kind": type(data).__name__}, list(data)
    elif isinstance(data, dict):
        layout, items = {"kind": "dict", "keys": list(data)}, list(data.values())
    else:
        raise TypeError(f"generate_input returned a {type(data).__name__}; supported: a tensor, tuple, list or dict")
    layout["count"] = len(items)
    packed = {"layout": layout}
    for i, item in enumerate(items):
        if isinstance(item, torch.Tensor):
            packed[f"arg_{i}"] = item.to(device)
        elif isinstance(item, SCALARS):
            packed[f"arg_{i}"] = item
        else:
            raise TypeError(f"data item {i} is a {type(item).__name__}; supported: tensors and plain values")
    return packed


def unpack(layout: dict, items: dict):
    values = [items[f"arg_{i}"] for i in range(layout["count"])]
    if layout["kind"] == "single":
        return values[0]
    if layout["kind"] == "dict":
        return dict(zip(layout["keys"], values))
    return values if layout["kind"] == "list" else tuple(values)


def expected(*, layout, **items):
    """`ref_kernel` on float64 copies of the data (on the data as generated where that fails),
    flattened as the candidate's entry flattens its output; the output's structure is kept
    for the problem's own check."""
    data = unpack(layout, items)
    try:
        raw = reference().ref_kernel(_to_float64(data))
    except (RuntimeError, TypeError):
        raw = reference().ref_kernel(_clone(data))
    out = flatten(raw)
    out = out.double() if out.is_floating_point() else out
    _remember(out, structure(raw))
    return out


def baseline(*, layout, **items):
    with torch.no_grad():
        return flatten(reference().ref_kernel(unpack(layout, items)))


def check(*, out, expected, inputs, dtype, tolerance):
    """The problem's own `check_implementation` where it has one (on the output rebuilt as the
    problem returns it: a tuple stays a tuple), else relative L2 against float64 (exact for
    integer outputs)."""
    if tuple(out.shape) != tuple(expected.shape):
        return False, f"output shape {tuple(out.shape)} != expected {tuple(expected.shape)}"
    if out.is_floating_point() and not torch.isfinite(out).all():
        return False, "non-finite value(s) (NaN or Inf) in the output"
    items = {k: v for k, v in inputs.items() if k != "layout"}
    checker = getattr(reference(), "check_implementation", None)
    if checker is not None:
        data = unpack(inputs["layout"], items)
        return _source_verdict(checker, data, rebuild(out, _structure_for(expected, data)))
    from graders.harness.compare import compare  # the harness's own comparison, as for every other package

    return compare(out=out, expected=expected, metric="rel_l2", tolerance=tolerance)


def _source_verdict(checker, data, output):
    try:
        with torch.no_grad():
            result = checker(_clone(data), output)
    except Exception as exc:  # noqa: BLE001 - the source check reports a mismatch by raising
        return False, f"check_implementation: {type(exc).__name__}: {str(exc)[:300]}"
    if isinstance(result, tuple) and result:
        return bool(result[0]), str(result[1] if len(result) > 1 else "")[:500] or "check_implementation"
    if isinstance(result, str):
        return (not result), result[:500] or "check_implementation passed"
    return bool(result), "check_implementation " + ("passed" if result else "failed")


# The structure of the last expected outputs, by the identity of the flat tensor handed to the
# supervisor (kept alive here, so an id is never reused while remembered).
_structures: dict[int, tuple] = {}


def _remember(flat, shape_of) -> None:
    _structures[id(flat)] = (flat, shape_of)
    while len(_structures) > 64:
        _structures.pop(next(iter(_structures)))


def _structure_for(expected, data):
    known = _structures.get(id(expected))
    if known is not None and known[0] is expected:
        return known[1]
    return structure(reference().ref_kernel(_clone(data)))


def structure(raw):
    """("tensor", shape, dtype) or ("tuple"/"list", [(shape, dtype), ...]) of what ref_kernel returned."""
    if isinstance(raw, (tuple, list)):
        parts = [torch.as_tensor(p) for p in raw]
        return ("list" if isinstance(raw, list) else "tuple", [(tuple(p.shape), p.dtype) for p in parts])  # a named tuple too
    raw = torch.as_tensor(raw)
    return ("tensor", tuple(raw.shape), raw.dtype)


def rebuild(flat, shape_of):
    """The candidate's flat output cut back into the reference's parts (floats in the dtype the
    candidate returned, integers in their own)."""
    if shape_of[0] == "tensor":
        return flat
    parts, start = [], 0
    for shape, dtype in shape_of[1]:
        count = 1
        for d in shape:
            count *= d
        part = flat.reshape(-1)[start:start + count].reshape(shape)
        parts.append(part if dtype.is_floating_point else part.to(dtype))
        start += count
    return tuple(parts) if shape_of[0] == "tuple" else parts


def flatten(out):
    if isinstance(out, (tuple, list)):
        return torch.cat([torch.as_tensor(t).reshape(-1) for t in out])
    return out if isinstance(out, torch.Tensor) else torch.as_tensor(out)


def _clone(data):
    return _map(data, lambda t: t.clone())


def _to_float64(data):
    return _map(data, lambda t: t.double() if t.is_floating_point() else t.clone())


def _map(data, fn):
    if isinstance(data, torch.Tensor):
        return fn(data)
    if isinstance(data, (tuple, list)):
        return type(data)(_map(v, fn) for v in data)
    if isinstance(data, dict):
        return {k: _map(v, fn) for k, v in data.items()}
    return data
