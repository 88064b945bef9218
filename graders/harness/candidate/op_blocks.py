"""Forbidden kernels stopped at the dispatcher. Runs INSIDE the candidate's worker process.

A spec's `forbidden_calls` (and `forbidden_ops`) name the library kernel the candidate must
beat. Wrapping one Python attribute is not enough: the same kernel is reachable through
`torch._C._VariableFunctions`, `torch._C._nn`, `torch.ops.aten.<op>.<overload>`, a bound
method found at run time, `eval`, TorchScript, vmap... Every one of those paths meets in the
dispatcher, so this module registers, for every overload of every op the table in
`op_table.py` maps a forbidden name to, a kernel that records the hit and raises, on every
dispatch key that has a kernel for the op (CPU, CUDA, MkldnnCPU, NestedTensor*, Sparse*,
the Composite* alias keys, Autograd, Tracer, the functorch keys...), Meta excepted (it
computes no values). The supervisor turns a recorded hit into `rejected`, naming the op.

Installed by `Worker.op_load` in the candidate's worker only (the baseline's worker never
gets the list), before the candidate's module is imported. The registering module object is
leaked on purpose: no Python object refers to it, so the candidate cannot find it (with
`gc` or `sys.modules`) and reset it to bring the original kernels back; re-registering an
op only puts another kernel on top, never the library's own. Whatever else the candidate
does in this process is answered by the supervisor's checks outside it.

Standard library and torch only (it travels in the worker's bundle).
"""
from __future__ import annotations

import ctypes
import importlib
import re
import sys
import warnings

import torch

from graders.harness.shared.op_table import ops_for_calls, python_only

# Meta computes shapes, never values; FakeTensor and tracing need it intact.
SKIPPED_KEYS = frozenset({"debug", "Meta"})
_KEY_LINE = re.compile(r"^(\w+)(?:\[alias\])?: registered at ")


class ForbiddenOp(RuntimeError):
    """Raised in place of a forbidden kernel: the candidate gets no result from it."""


class Tripwire:
    """What the candidate may not call. `hits` goes out in every worker reply.

    Ops are blocked at the dispatcher; a forbidden Python name that no op stands for (a
    pure-Python helper) is wrapped as an attribute instead, which records and calls through.
    """

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.blocked: dict[str, list[str]] = {}  # op overload -> dispatch keys, for tests and logs

    def install_all(self, names: list[str]) -> None:
        self.blocked.update(block_ops(ops_for_calls(names), self.hits))
        for dotted in python_only(names):
            wrap_attribute(dotted, self.hits)


def overloads(op: str, all_names: set[str]) -> list[str]:
    """Every registered overload of `aten::name` (or just `aten::name.overload`, if given)."""
    if "." in op.split("::", 1)[-1]:
        return [op] if op in all_names else []
    return sorted(n for n in all_names if n == op or n.startswith(op + "."))


def kernel_keys(op: str) -> list[str]:
    """The dispatch keys with a kernel registered for `op`, read from the dispatcher itself."""
    keys = []
    for line in torch._C._dispatch_dump(op).splitlines():
        match = _KEY_LINE.match(line)
        if match and match.group(1) not in SKIPPED_KEYS:
            keys.append(match.group(1))
    return keys


def block_ops(wanted: dict[str, str], hits: list[str]) -> dict[str, list[str]]:
    """Register a blocking kernel on every key of every overload of each op in `wanted`."""
    all_names = set(torch._C._dispatch_get_all_op_names())
    targets = {name: kernel_keys(name) for op in wanted for name in overloads(op, all_names)}
    by_namespace: dict[str, list[str]] = {}
    for name in targets:
        by_namespace.setdefault(name.split("::", 1)[0], []).append(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Overriding a previously registered kernel": intended
        for namespace, names in by_namespace.items():
            module = torch._C._dispatch_library("IMPL", namespace, "", __file__, 0)
            for name in names:
                targets[name] = [key for key in targets[name] if _register(module, name, key, hits)]
            _leak(module)
            del module
    return targets


def _register(module, name: str, key: str, hits: list[str]) -> bool:
    """One key's kernel; a key this build refuses from Python is reported on stderr and skipped
    (the others still block), rather than failing every grading on that build."""
    try:
        module.impl(name.split("::", 1)[1], key, _blocker(name, hits), False)
        return True
    except RuntimeError as exc:
        print(f"op_blocks: {name} not blocked on {key}: {str(exc)[:200]}", file=sys.stderr)
        return False


def _blocker(name: str, hits: list[str]):
    message = f"{name} is the kernel this challenge forbids; it was blocked"

    def forbidden_kernel(*_args, **_kwargs):
        if name not in hits:
            hits.append(name)
        raise ForbiddenOp(message)

    return forbidden_kernel


def _leak(obj: object) -> None:
    """One reference no Python object holds: `obj` lives (and its registrations stay) for
    the life of the process, and nothing reachable from Python can release it."""
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))


def wrap_attribute(dotted: str, hits: list[str]) -> None:
    """The old tripwire, for names no dispatcher op stands for: record, then call through."""
    module_name, _, attr = dotted.rpartition(".")
    try:
        owner = importlib.import_module(module_name)
        original = getattr(owner, attr)
    except (ImportError, AttributeError, ValueError):
        return

    def tripwire(*args, **kwargs):
        if dotted not in hits:
            hits.append(dotted)
        return original(*args, **kwargs)

    setattr(owner, attr, tripwire)
