"""A package's hints.md as separate hints, revealed one at a time.

hints.md is a numbered list (`1. ...`, continuation lines indented), optionally under a
heading; failing that, `##` sections; failing that, the whole text is one hint."""
from __future__ import annotations

import re

_ITEM = re.compile(r"^\d+[.)]\s+")
_SECTION = re.compile(r"^##\s+")
_CONTINUATION_INDENT = re.compile(r"^ {1,4}|^\t")  # a list item's own indent; deeper indents (code) stay


def split_hints(markdown: str) -> list[str]:
    lines = (markdown or "").replace("\r\n", "\n").split("\n")
    for starts in (_ITEM, _SECTION):
        hints = _split_at(lines, starts)
        if hints:
            return hints
    text = _strip_title(markdown or "").strip()
    return [text] if text else []


def _split_at(lines: list[str], starts: re.Pattern) -> list[str]:
    hints: list[list[str]] = []
    for line in lines:
        if starts.match(line):
            hints.append([starts.sub("", line, count=1) if starts is _ITEM else line])
        elif hints and (not line.strip() or line[:1].isspace() or starts is _SECTION):
            hints[-1].append(_CONTINUATION_INDENT.sub("", line) if starts is _ITEM else line)
        elif hints and starts is _ITEM:
            break  # the list ended: what follows is no hint's continuation
    return [text for text in ("\n".join(h).strip() for h in hints) if text]


def _strip_title(markdown: str) -> str:
    return re.sub(r"\A\s*#\s+[^\n]*\n", "", markdown)
