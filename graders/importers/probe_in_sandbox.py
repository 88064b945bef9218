"""Runs inside the sandbox (never on the host): sizes one imported problem by measurement.

`python -m probe_in_sandbox REQUEST.json` loads the problem's code from the bundle, tries
sizes from the published ones downwards and prints one JSON line: the sizes chosen, with
what was measured there (seconds of one float64 reference call, the peak memory of the
trial, input megabytes), or why none fits. Standard library and torch only; `sizes.py` and
`probe_trials.py` come in the same bundle.
"""
from __future__ import annotations

import ast
import importlib.util
import json
import sys
import time
from pathlib import Path

import torch

if __package__:  # imported as part of graders (the layering check); in the sandbox it runs from the bundle's lib/
    from graders.importers import sizes
    from graders.importers.probe_trials import fits, nbytes, output_kind, reason_of, rel_error, timed, to_float64, trial
else:
    import sizes
    from probe_trials import fits, nbytes, output_kind, reason_of, rel_error, timed, to_float64, trial

PROBE_BUDGET_S = 30.0  # per strategy
MAX_CPU_CASES = 6


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text())
    torch.set_num_threads(1)
    try:
        probe = probe_kernelbench if request["format"] == "kernelbench" else probe_gpumode
        result = probe(request)
    except Exception as exc:  # noqa: BLE001 - the problem's code failed: report it, not a traceback
        result = {"ok": False, "reason": reason_of(exc)}
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


def load_module(path: Path, name: str):
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---- KernelBench: module constants, scaled uniformly -------------------------------------------
def probe_kernelbench(request: dict) -> dict:
    """Largest size halved first; where that finds nothing (sizes that must match each other),
    every size halved together; else only the batch (layers that need the published image size)."""
    path = Path(request["package"]) / "problem.py"
    module = load_module(path, "problem")
    constants = sizes.module_constants(ast.parse(path.read_text()))
    has_sizes = any(sizes.shrinkable(c) for c in constants)
    tried = []
    strategies = (("the largest halved first", sizes.shrink_sequence(constants)), ("all halved together", sizes.uniform_sequence(constants)),
                  ("only the batch halved", sizes.batch_sequence(constants)))
    for how, candidates in strategies if has_sizes else strategies[:1]:
        found = _first_fitting(module, candidates, request["budget"], tried=tried, started=time.monotonic())
        if found is not None:
            return {"ok": True, "constants": candidates[found], "measured": tried[-1], "steps": found, "how": how}
    return {"ok": False, "reason": _kernelbench_refusal(tried, has_sizes=has_sizes), "tried": tried[-3:]}


def _first_fitting(module, candidates: list[dict], budget: dict, *, tried: list, started: float) -> int | None:
    step = _first_with_small_inputs(module, candidates, budget)
    while step < len(candidates):
        measured = trial(lambda: _kernelbench_trial(module, candidates[step], budget))
        tried.append({"steps": step, **measured})
        if fits(measured, budget):
            return step
        if time.monotonic() - started > PROBE_BUDGET_S:
            break
        step += _stride(measured, budget)
    return None


def _stride(measured: dict, budget: dict) -> int:
    """Far over the time budget, skip sizes: each step roughly halves the work."""
    if measured.get("too_big"):  # stopped at the trial's time limit, or out of memory
        return 3
    over = measured.get("seconds", 0) / budget["seconds"] if measured.get("ok") else 1
    return 1 + (over > 4) + (over > 16)


def _first_with_small_inputs(module, candidates: list[dict], budget: dict) -> int:
    """The first candidate whose inputs fit, found cheaply: only `get_inputs()`, in children whose
    allocations are capped just above the input budget (a larger one fails at once)."""
    cap = int(budget["input_mb"] * 2) + 64
    for index, values in enumerate(candidates):
        made = trial(lambda: {"input_mb": _inputs_mb(module, values)}, memory_mb=cap)
        if not made.get("too_big") and (not made.get("ok") or made["input_mb"] <= budget["input_mb"]):
            return index
    return len(candidates) - 1


def _inputs_mb(module, values: dict) -> float:
    _set_constants(module, values)
    torch.manual_seed(0)
    return nbytes(list(module.get_inputs())) / 2**20


def _set_constants(module, values: dict) -> None:
    for name, value in values.items():
        setattr(module, name, tuple(value) if isinstance(value, list) else value)


def _kernelbench_trial(module, values: dict, budget: dict) -> dict:
    _set_constants(module, values)
    torch.manual_seed(0)
    args, init = list(module.get_inputs()), list(module.get_init_inputs())
    if nbytes(args) / 2**20 > budget["input_mb"]:
        return {"ok": False, "too_big": True, "reason": f"{nbytes(args) / 2**20:.0f} MB of inputs", "input_mb": nbytes(args) / 2**20}
    torch.manual_seed(1)
    model = module.Model(*init)
    seconds32, out = timed(lambda: model(*args))
    if seconds32 > budget["seconds"]:
        return {"ok": True, "seconds": seconds32, "input_mb": nbytes(args) / 2**20, "output": output_kind(out)}
    try:
        model64 = model.double()
        seconds, out64 = timed(lambda: model64(*to_float64(args)))
    except (RuntimeError, TypeError):
        seconds, out64 = seconds32, None
    return {"ok": True, "seconds": seconds, "seconds_float32": seconds32, "input_mb": nbytes(args) / 2**20, "output": output_kind(out),
            "float32_error": rel_error(out, out64)}


def _kernelbench_refusal(tried: list[dict], *, has_sizes: bool) -> str:
    last = tried[-1]
    if not has_sizes:
        what = last.get("reason") or f"one float64 call takes {last.get('seconds', 0):.2f} s, peak {last.get('peak_mb', 0):.0f} MB"
        return f"no size constant to scale (sizes written inline?) and the published sizes do not fit: {what}"
    if not last.get("ok") and not last.get("too_big"):
        return f"the reference fails at smaller sizes: {last.get('reason')}"
    return f"no size tried fits the CPU budget (last: {last.get('reason') or _figures(last)})"


def _figures(measured: dict) -> str:
    return f"{measured.get('seconds', 0):.2f} s per float64 call, peak {measured.get('peak_mb', 0):.0f} MB, {measured.get('input_mb', 0):.1f} MB inputs"


# ---- GPU MODE: task.yml cases that fit, else the cheapest one scaled ----------------------------
def probe_gpumode(request: dict) -> dict:
    """The task.yml tests that fit, smallest first (at most MAX_CPU_CASES; once one is too big,
    no larger one is tried), else the cheapest scaled down."""
    reference = load_module(Path(request["package"]) / "reference.py", "reference")
    budget, kept, measured_all, tried_cases, too_big_at = request["budget"], [], [], [], None
    started = time.monotonic()
    for kwargs in sorted(request["cases"], key=_gpumode_cost):
        if len(kept) >= MAX_CPU_CASES or time.monotonic() - started > PROBE_BUDGET_S:
            break
        if too_big_at is not None and _gpumode_cost(kwargs) >= too_big_at:
            continue
        measured = trial(lambda: _gpumode_trial(reference, kwargs))
        measured_all.append(measured)
        tried_cases.append(kwargs)
        if measured.get("cuda"):
            return {"ok": False, "cuda_only": True, "reason": f"generate_input needs a GPU ({measured['reason']})"}
        if fits(measured, budget):
            kept.append({"kwargs": kwargs, "measured": measured})
        elif measured.get("too_big") or (measured.get("ok") and measured["seconds"] > budget["seconds"]):
            too_big_at = _gpumode_cost(kwargs) if too_big_at is None else min(too_big_at, _gpumode_cost(kwargs))
    if kept:
        order = {id(kw): i for i, kw in enumerate(request["cases"])}
        kept.sort(key=lambda k: order.get(id(k["kwargs"]), 0))
        return {"ok": True, "cases": [k["kwargs"] for k in kept], "measured": [k["measured"] for k in kept], "dropped": len(request["cases"]) - len(kept)}
    failures = [m for m in measured_all if not m.get("ok") and not m.get("too_big")]
    if failures and len(failures) == len(measured_all):
        return {"ok": False, "reason": f"the reference fails on the CPU: {failures[0]['reason']}"}
    return _gpumode_scaled(reference, tried_cases, measured_all, budget)


def _gpumode_cost(kwargs: dict) -> int:
    """A crude size order: the product of the integer arguments other than the seed."""
    cost = 1
    for name, value in kwargs.items():
        if type(value) is int and "seed" not in name.lower() and value > 0:
            cost *= value
    return cost


def _gpumode_trial(reference, kwargs: dict) -> dict:
    torch.manual_seed(0)
    data = reference.generate_input(**kwargs)
    try:
        seconds, out = timed(lambda: reference.ref_kernel(to_float64(data)))
    except (RuntimeError, TypeError):
        seconds, out = timed(lambda: reference.ref_kernel(data))
    return {"seconds": seconds, "input_mb": nbytes(data) / 2**20, "output": output_kind(out)}


def _gpumode_scaled(reference, cases: list[dict], measured: list[dict], budget: dict) -> dict:
    cheapest = min(range(len(cases)), key=lambda i: (measured[i].get("seconds", 1e9), measured[i].get("input_mb", 1e9)))
    base = cases[cheapest]
    for halvings in range(1, 7):
        kwargs = {k: (max(sizes.SMALLEST, v >> halvings) if _gpumode_size(k, v) else v) for k, v in base.items()}
        result = trial(lambda: _gpumode_trial(reference, kwargs))
        if fits(result, budget):
            return {"ok": True, "cases": [kwargs], "measured": [result], "dropped": len(cases), "scaled": True}
    return {"ok": False, "reason": f"no test case fits the CPU budget, even scaled down (smallest: {_figures(measured[cheapest])})"}


def _gpumode_size(name: str, value) -> bool:
    return type(value) is int and value >= sizes.SHRINKABLE_FROM and not any(w in name.lower() for w in sizes.NOT_SIZES)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
