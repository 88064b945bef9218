"""Just enough TOML writing for challenge.toml (tomllib only reads)."""
from __future__ import annotations

import json
import math
import re
from typing import Any

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(x)}" for k, x in v.items()) + " }" if v else "{}"
    raise TypeError(f"cannot write a {type(v).__name__} as TOML")


def key(k: str) -> str:
    return k if BARE_KEY.match(k) else json.dumps(k)


def document(top: dict[str, Any], tables: dict[str, dict[str, Any]], *, header: str = "") -> str:
    """Top-level keys first, then `[table]` sections (dotted names allowed), values inline."""
    lines = [f"# {line}" for line in header.splitlines()] if header else []
    lines += [f"{key(k)} = {value(v)}" for k, v in top.items()]
    for name, table in tables.items():
        lines += ["", f"[{name}]"]
        lines += [f"{key(k)} = {value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"
