"""Import side (never runs problem code): the size constants a problem's inputs depend on,
read from its source text, and the same constants re-derived at smaller sizes.

A module constant may be written in any of the forms KernelBench uses: `N = 4096`,
`N = 2048 * 2`, `height = width = 256`, `depth, height, width = 16, 32, 32`,
`input_shape = (4096,)`, `dim_out = dim * 4`. Only literal arithmetic over numbers and
earlier constants is evaluated (an AST walk, no `eval`); anything else is not a size.
A *free* size is an integer written as a literal (alone or inside a tuple); the others are
derived and recomputed from their expression when the free ones shrink.
"""
from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from typing import Any

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
           ast.Div: operator.truediv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_CALLS = {"int": int, "min": min, "max": max, "abs": abs, "round": round}
# Names that are not sizes even when large: shrinking them changes what the problem computes.
NOT_SIZES = ("kernel", "stride", "pad", "dilation", "group", "head", "seed", "eps", "scale", "factor", "prob", "dropout",
             "momentum", "alpha", "beta", "margin", "temperature", "value", "min", "max", "axis", "reduction", "bias", "topk", "k_")
SMALLEST = 2  # a free size is never scaled below this
SHRINKABLE_FROM = 16  # free sizes below this are left alone (axes, small counts, kernel widths)


class NotConstant(ValueError):
    pass


@dataclass(frozen=True)
class Constant:
    name: str
    expr: ast.expr
    value: Any  # int, float, or a tuple of them


def module_constants(tree: ast.Module) -> list[Constant]:
    """Module-level numeric constants in source order (a later assignment wins)."""
    found: dict[str, Constant] = {}
    for node in tree.body:
        for name, expr in _assignments(node):
            try:
                value = evaluate(expr, known={c.name: c.value for c in found.values()})
            except NotConstant:
                found.pop(name, None)
                continue
            found.pop(name, None)
            found[name] = Constant(name=name, expr=expr, value=value)
    return list(found.values())


def _assignments(node: ast.stmt) -> list[tuple[str, ast.expr]]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return [(node.target.id, node.value)]
    if not isinstance(node, ast.Assign):
        return []
    pairs = []
    for target in node.targets:  # `a = b = 256` assigns the same value to each target
        if isinstance(target, ast.Name):
            pairs.append((target.id, node.value))
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(node.value, (ast.Tuple, ast.List)) and len(target.elts) == len(node.value.elts):
            pairs += [(t.id, v) for t, v in zip(target.elts, node.value.elts) if isinstance(t, ast.Name)]
    return pairs


def evaluate(expr: ast.expr, *, known: dict[str, Any]) -> Any:
    """The value of a literal arithmetic expression over numbers and `known` names."""
    if isinstance(expr, ast.Constant) and type(expr.value) in (int, float):
        return expr.value
    if isinstance(expr, ast.Name) and expr.id in known:
        return known[expr.id]
    if isinstance(expr, (ast.Tuple, ast.List)):
        values = tuple(evaluate(e, known=known) for e in expr.elts)
        if any(isinstance(v, tuple) for v in values):
            raise NotConstant("nested")
        return values
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, (ast.USub, ast.UAdd)):
        value = evaluate(expr.operand, known=known)
        if isinstance(value, tuple):
            raise NotConstant("tuple")
        return -value if isinstance(expr.op, ast.USub) else value
    if isinstance(expr, ast.BinOp) and type(expr.op) in _BINARY:
        return _binary(expr, known=known)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in _CALLS and not expr.keywords:
        args = [evaluate(a, known=known) for a in expr.args]
        if any(isinstance(a, tuple) for a in args) or not args:
            raise NotConstant("call")
        return _CALLS[expr.func.id](*args)
    raise NotConstant(type(expr).__name__)


def _binary(expr: ast.BinOp, *, known: dict[str, Any]) -> Any:
    left, right = evaluate(expr.left, known=known), evaluate(expr.right, known=known)
    if isinstance(left, tuple) or isinstance(right, tuple):
        if isinstance(expr.op, ast.Add) and isinstance(left, tuple) and isinstance(right, tuple):
            return left + right
        raise NotConstant("tuple arithmetic")
    if isinstance(expr.op, ast.Pow) and abs(right) > 64:
        raise NotConstant("too large")
    try:
        value = _BINARY[type(expr.op)](left, right)
    except (ZeroDivisionError, OverflowError):
        raise NotConstant("arithmetic") from None
    if isinstance(value, (int, float)) and abs(value) > 2**48:
        raise NotConstant("too large")
    return value


def is_free(constant: Constant) -> bool:
    """Written as a literal (a number or a tuple of numbers): the value to scale, not derive."""
    return not any(isinstance(n, ast.Name) for n in ast.walk(constant.expr))


def shrinkable(constant: Constant) -> list[int]:
    """Positions of the integers in a free constant that are sizes ([0] for a scalar)."""
    if not is_free(constant) or any(word in constant.name.lower() for word in NOT_SIZES):
        return []
    values = constant.value if isinstance(constant.value, tuple) else (constant.value,)
    smallest = SMALLEST + 1 if "batch" in constant.name.lower() else SHRINKABLE_FROM  # a batch of 10 images halves too
    return [i for i, v in enumerate(values) if type(v) is int and v >= smallest]


def size_values(constants: list[Constant]) -> dict[str, Any]:
    """Every constant's value, tuples as lists (what the adapters set on the problem's module)."""
    return {c.name: list(c.value) if isinstance(c.value, tuple) else c.value for c in constants}


def rederive(constants: list[Constant], *, free: dict[str, Any]) -> dict[str, Any]:
    """All constants again, with the free ones replaced by `free` and derived ones recomputed."""
    known: dict[str, Any] = {}
    for constant in constants:
        if constant.name in free:
            value = free[constant.name]
            known[constant.name] = tuple(value) if isinstance(value, list) else value
            continue
        try:
            known[constant.name] = evaluate(constant.expr, known=known) if not is_free(constant) else constant.value
        except NotConstant:
            known[constant.name] = constant.value
    return {k: list(v) if isinstance(v, tuple) else v for k, v in known.items()}


def shrink_sequence(constants: list[Constant], *, max_steps: int = 48) -> list[dict[str, Any]]:
    """The published sizes, then smaller ones: each step halves the largest free size (every
    copy of that value at once, so sizes written equal stay equal), so long spatial and batch
    sizes give way before the channel counts and group sizes that must divide each other."""
    free = {c.name: (c, shrinkable(c)) for c in constants if shrinkable(c)}
    state = {name: list(c.value) if isinstance(c.value, tuple) else [c.value] for name, (c, _) in free.items()}
    sequence = [rederive(constants, free=_as_written(free, state))]
    for _ in range(max_steps):
        values = [state[name][i] for name, (_, at) in free.items() for i in at]
        largest = max((v for v in values if v > SMALLEST), default=None)
        if largest is None:
            break
        for name, (_, at) in free.items():
            for i in at:
                if state[name][i] == largest:
                    state[name][i] = max(SMALLEST, largest >> 1)
        sequence.append(rederive(constants, free=_as_written(free, state)))
    return sequence


def _as_written(free: dict, state: dict) -> dict[str, Any]:
    return {name: (list(state[name]) if isinstance(c.value, tuple) else state[name][0]) for name, (c, _) in free.items()}


def uniform_sequence(constants: list[Constant], *, max_steps: int = 16, base: list[Constant] | None = None,
                     smallest: int = SMALLEST) -> list[dict[str, Any]]:
    """The published sizes, then every free size halved together: ratios between sizes are kept
    (a LayerNorm over the last axis sized by a channel count still matches it). With `base`,
    only `constants` are halved and the others of `base` kept."""
    free = {c.name: (c, shrinkable(c)) for c in constants if shrinkable(c)}
    constants = base if base is not None else constants
    sequence = [rederive(constants, free={})]
    for k in range(1, max_steps + 1):
        state = {}
        for name, (c, at) in free.items():
            values = list(c.value) if isinstance(c.value, tuple) else [c.value]
            for i in at:
                values[i] = max(smallest, values[i] >> k)
            state[name] = values
        step = rederive(constants, free=_as_written(free, state))
        if step == sequence[-1]:
            break
        sequence.append(step)
    return sequence


def batch_sequence(constants: list[Constant], *, max_steps: int = 12) -> list[dict[str, Any]]:
    """Only the batch sizes halved: a network whose layers need its published image size."""
    batch = [c for c in constants if "batch" in c.name.lower() and shrinkable(c)]
    return uniform_sequence(batch, max_steps=max_steps, base=constants, smallest=1)
