"""Runs in the candidate's process (worker side): what the entry point returned, as the plain
bytes that leave for the supervisor.

Deferred work (ANTI_CHEAT.md, "families found since") hides a computation in the object a
timed call returns: a tensor subclass whose values appear when the harness copies, compares or
serialises it (`detach`, `clone`, `numpy`, `__torch_function__`, `__reduce__`, `__array__`), a
lazy object, a view into storage the candidate keeps writing, a thread that finishes later. Two
things close it:

1. only an exact ``torch.Tensor`` is an answer, with no torch-function or dispatch mode left
   active by the call; anything else is refused with the reason (the supervisor rejects it);
2. its bytes are copied out with methods bound here before any candidate code exists (the C
   methods of ``torch._C.TensorBase`` cannot be reassigned, and torch-function dispatch is off
   while they run) and sent to the supervisor *in the reply of the call itself*: the
   supervisor's clocks (graders/harness/clocks.py) stop only when the bytes are in its memory.

Nothing here is trusted by the supervisor: a candidate who rewrites this module only moves
work into the span the supervisor's own clocks measure.
"""
from __future__ import annotations

import torch

_Tensor = torch.Tensor
_TensorBase = torch._C.TensorBase
_detach = _TensorBase.detach
_contiguous = _TensorBase.contiguous
_cpu = _TensorBase.cpu
_view = _TensorBase.view
_numpy = _TensorBase.numpy
_numel = _TensorBase.numel
_size = _TensorBase.size
_reshape = _TensorBase.reshape
_no_torch_function = torch._C.DisableTorchFunction
_dispatch_modes = torch._C._len_torch_dispatch_stack
_function_mode_on = torch._C._is_torch_function_mode_enabled
_uint8 = torch.uint8


class NotPlainOutput(Exception):
    """The call's result is not an answer the supervisor can take: rejected, with this reason."""


def describe(value: object) -> str:
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}" if kind.__module__ not in ("builtins", None) else kind.__qualname__
    return "None" if value is None else name


def check_plain(value: object) -> None:
    """Raise NotPlainOutput unless `value` is an exact torch.Tensor and no mode is left on."""
    if _dispatch_modes() > 0:
        raise NotPlainOutput("the call left a torch dispatch mode active: outputs must be computed when the call returns")
    if _function_mode_on():
        raise NotPlainOutput("the call left a torch function mode active: outputs must be computed when the call returns")
    if type(value) is not _Tensor:
        what = describe(value)
        if isinstance(value, _Tensor):
            raise NotPlainOutput(f"returned a {what} (a torch.Tensor subclass): outputs must be plain tensors, computed when the call returns")
        raise NotPlainOutput(f"returned {what}, not a plain torch.Tensor")


def host_bytes(value: torch.Tensor) -> tuple[str, torch.dtype, list[int], bytes]:
    """(device type, dtype, shape, raw bytes) of a plain tensor, copied into fresh host memory."""
    with _no_torch_function():
        device, dtype = value.device.type, value.dtype
        host = _contiguous(_cpu(_detach(value)))
        shape = list(_size(host))
        raw = _numpy(_view(_reshape(host, (-1,)), _uint8)).tobytes() if _numel(host) else b""
    return device, dtype, shape, raw
