"""Which dispatcher ops a forbidden Python function reaches: the table behind `op_blocks`.

Pure data and string work, standard library only, because both sides of the sandbox read
it: the worker (graders/harness/candidate/op_blocks.py, inside the candidate's process) blocks these
ops at the dispatcher, and the static check (graders/static_checks.py, on the grading
worker, before any sandbox) looks for their names in the source.

A spec's `forbidden_calls` names Python functions; every way of reaching the same kernel
(`torch._C._VariableFunctions`, `torch._C._nn`, a `torch.ops.aten` overload, a name built at
run time) meets at these ops. A spec may name more with `forbidden_ops = ["aten::..."]`.
Each entry is an op *base* name: every overload of it (`.int`, `.out`, ...) is blocked.
Only kernels that really are the forbidden computation belong here: `log_softmax` is a
different kernel and stays allowed unless a spec names it.
"""
from __future__ import annotations

import re

SOFTMAX_OPS = (
    "aten::softmax",  # CompositeImplicitAutograd: torch.softmax, F.softmax, Tensor.softmax
    "aten::_softmax",  # the CPU / CUDA / MkldnnCPU / NestedTensor kernel
    "aten::special_softmax",
    "aten::_safe_softmax",  # softmax that gives 0 for fully masked rows
    "aten::_masked_softmax",  # with an all-false mask it is softmax
    "aten::_sparse_softmax",  # on a dense-as-sparse tensor it is softmax
    "aten::_nested_tensor_softmax_with_shape",
)

ATTENTION_OPS = (
    "aten::scaled_dot_product_attention",  # CompositeImplicitAutograd: picks a backend below
    "aten::_scaled_dot_product_flash_attention",
    "aten::_scaled_dot_product_flash_attention_for_cpu",
    "aten::_scaled_dot_product_efficient_attention",
    "aten::_scaled_dot_product_cudnn_attention",
    "aten::_scaled_dot_product_fused_attention_overrideable",
    "aten::_scaled_dot_product_attention_math",
    "aten::_scaled_dot_product_attention_math_for_mps",
    "aten::_flash_attention_forward",
    "aten::_efficient_attention_forward",
    "aten::_cudnn_attention_forward",
    "aten::_native_multi_head_attention",  # nn.MultiheadAttention's fast path: SDPA inside
    "aten::_triton_scaled_dot_attention",
    "aten::_triton_multi_head_attention",
)

_SOFTMAX_NAMES = (
    "torch.softmax", "torch.nn.functional.softmax", "torch.Tensor.softmax", "torch.special.softmax",
    "torch._softmax", "torch._C._VariableFunctions.softmax", "torch._C._VariableFunctions._softmax",
    "torch.nn.Softmax", "torch.nn.modules.activation.Softmax",
)
_ATTENTION_NAMES = (
    "torch.nn.functional.scaled_dot_product_attention", "torch._C._nn.scaled_dot_product_attention",
)

# Python name (as a spec writes it in forbidden_calls) -> the aten ops it reaches.
OPS_FOR_CALL: dict[str, tuple[str, ...]] = {
    **{name: SOFTMAX_OPS for name in _SOFTMAX_NAMES},
    **{name: ATTENTION_OPS for name in _ATTENTION_NAMES},
}

OP_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*::[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_TORCH_OPS_PREFIX = "torch.ops."


def is_op_name(text: str) -> bool:
    """`aten::softmax` or `aten::softmax.int`: a dispatcher op, not a Python name."""
    return bool(OP_NAME_RE.match(text))


def ops_for_calls(names: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Op base names to block -> the forbidden name that asked for them (first one wins).

    `names` may mix Python names (looked up in OPS_FOR_CALL), `torch.ops.<ns>.<op>[.overload]`
    names (that op) and op names (`aten::op`, kept as written; an overload narrows the block
    to that overload).
    """
    wanted: dict[str, str] = {}
    for name in names:
        for op in _ops_of(name):
            wanted.setdefault(op, name)
    return wanted


def _ops_of(name: str) -> tuple[str, ...]:
    if is_op_name(name):
        return (name,)
    if name.startswith(_TORCH_OPS_PREFIX):
        parts = name[len(_TORCH_OPS_PREFIX):].split(".")
        if len(parts) >= 2:
            base = f"{parts[0]}::{parts[1]}"
            overload = parts[2] if len(parts) > 2 and parts[2] != "default" else ""
            return (f"{base}.{overload}" if overload else base,)
    return OPS_FOR_CALL.get(name, ())


def python_only(names: list[str] | tuple[str, ...]) -> list[str]:
    """The forbidden Python names no op stands for: only a wrapped attribute can watch those."""
    return [n for n in names if not _ops_of(n)]


def leaf(op: str) -> str:
    """`aten::_softmax.out` -> `_softmax`: the name as code spells it."""
    return op.split("::", 1)[-1].split(".", 1)[0]
