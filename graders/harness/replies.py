"""Every reply a worker sends is checked here before any supervisor code reads a field of it.

A reply is the candidate's doing: the worker process runs the candidate's code, which can
patch `Channel.send`, write on the socket itself or rebuild any message. So the supervisor
never trusts a reply's shape. `checked` is called once per received message (by
`WorkerProcess.receive`, the one place replies come in) and returns a copy in which every
field the supervisor reads has the type it expects, with text capped; a field of the wrong
type or out of range raises `ReplyError`, which the caller turns into a verdict against the
worker's side (`rejected`: nothing but tampering makes the harness's own worker send it).

Fields no rule names pass through unchanged: code that starts reading a new field adds its
rule to `RULES` (tests/graders/test_replies.py checks that every field the worker side sends
has one).
"""
from __future__ import annotations

from typing import Callable

TEXT_CAP = 8000
NAME_CAP = 200
LIST_CAP = 4096
NS_MAX = 1 << 62


class ReplyError(ValueError):
    """A reply with a field of the wrong type, or out of range."""


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(cap: int, *, optional: bool = False) -> Callable:
    def rule(key, value):
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise ReplyError(f"reply field {key!r} must be text, not {type(value).__name__}")
        return value[:cap]

    return rule


def _count(key, value):
    if not _is_int(value) or not 0 <= value <= NS_MAX:
        raise ReplyError(f"reply field {key!r} must be a non-negative integer, not {_show(value)}")
    return value


def _line(key, value):
    if value is None:
        return None
    if not _is_int(value) or not 0 <= value < 1 << 31:
        raise ReplyError(f"reply field {key!r} must be a line number, not {_show(value)}")
    return value


def _ok(key, value):
    if not isinstance(value, bool):
        raise ReplyError(f"reply field {key!r} must be true or false, not {_show(value)}")
    return value


def _mode(key, value):
    if value not in ("eager", "graph"):
        raise ReplyError(f"reply field {key!r} must be 'eager' or 'graph', not {_show(value)}")
    return value


def _names(key, value):
    if not isinstance(value, list) or len(value) > LIST_CAP or not all(isinstance(v, str) for v in value):
        raise ReplyError(f"reply field {key!r} must be a list of names")
    return [v[:NAME_CAP] for v in value]


def _times(key, value):
    if not isinstance(value, list) or len(value) > 1 << 20:
        raise ReplyError(f"reply field {key!r} must be a list of durations")
    return [_count(key, v) for v in value]


def _outputs(key, value):
    if not isinstance(value, list) or len(value) > 1 << 20:
        raise ReplyError(f"reply field {key!r} must be a list")
    kinds = []
    for kind in value:
        if not isinstance(kind, dict) or not isinstance(kind.get("type"), str) or not isinstance(kind.get("device", ""), str):
            raise ReplyError(f"reply field {key!r} must hold {{type, device}} descriptions, not {_show(kind)}")
        clean = {"type": kind["type"][:NAME_CAP]}
        if "device" in kind:
            clean["device"] = kind["device"][:NAME_CAP]
        kinds.append(clean)
    return kinds


def _mapping(key, value):
    if not isinstance(value, dict):
        raise ReplyError(f"reply field {key!r} must be an object, not {type(value).__name__}")
    return value


RULES: dict[str, Callable] = {
    "ok": _ok,
    "op": _text(NAME_CAP),
    "id": lambda key, value: value if _is_int(value) else _raise(f"reply field {key!r} must be an integer, not {_show(value)}"),
    "error_type": _text(NAME_CAP),
    "error": _text(TEXT_CAP),
    "traceback": _text(TEXT_CAP),
    "line": _line,
    "file": _text(NAME_CAP),
    "tripwire": _names,
    "mode": _mode,
    "capture_error": _text(TEXT_CAP),
    "rejected": _text(TEXT_CAP, optional=True),
    "t": _count,
    "times_ns": _times,
    "outputs": _outputs,
    "inputs_after": _count,
    "device": _text(NAME_CAP),
    "summary": _mapping,
    "unanswered": _count,
    "close_error": _text(TEXT_CAP, optional=True),
}


def checked(header: dict, tensors: list) -> dict:
    """A copy of `header` with every known field validated; raises ReplyError."""
    if not isinstance(header, dict):
        raise ReplyError("a reply must be an object")
    clean = dict(header)
    for key, rule in RULES.items():
        if key in clean:
            clean[key] = rule(key, clean[key])
    if "outputs" in clean:
        announced = sum(1 for k in clean["outputs"] if k["type"] == "tensor") + clean.get("inputs_after", 0)
        if announced != len(tensors):
            raise ReplyError(f"the reply announces {announced} tensors but carries {len(tensors)}")
    return clean


def _raise(message: str):
    raise ReplyError(message)


def _show(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
