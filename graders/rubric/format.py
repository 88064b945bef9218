"""The rubric file format (TOML) and its loader.

A rubric holds the question, the total, scoring criteria and misconception criteria. Each
criterion carries its own evidence for the grader: aliases (phrases that signal the
idea), tools (names that alone earn at most half credit) and exemplar statements that
earn full credit (`positive`), half (`partial`) or nothing (`negative`).
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_EXEMPLAR_KINDS = ("positive", "partial", "negative")
DEFAULT_PASS_MARK = 60.0  # percent of max_points an answer needs to be accepted


class RubricError(ValueError):
    """A rubric file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Criterion:
    id: str
    points: float
    description: str
    aliases: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    positive: tuple[str, ...] = ()
    partial: tuple[str, ...] = ()
    negative: tuple[str, ...] = ()
    shares_evidence: bool = False  # its evidence may also earn another criterion

    @property
    def is_misconception(self) -> bool:
        return self.points < 0

    def exemplars(self) -> list[tuple[str, str]]:
        """(kind, text) for every exemplar, in file order."""
        return [(kind, text) for kind in _EXEMPLAR_KINDS for text in getattr(self, kind)]


@dataclass(frozen=True)
class Rubric:
    question: str
    max_points: float
    criteria: tuple[Criterion, ...]
    source: Path | None = field(default=None, compare=False)
    pass_mark: float = DEFAULT_PASS_MARK  # percent of max_points, 1 < pass_mark <= 100

    @property
    def scoring_criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if not c.is_misconception)

    @property
    def misconceptions(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.is_misconception)

    def criterion(self, criterion_id: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def all_tools(self) -> tuple[str, ...]:
        return tuple(sorted({tool for c in self.criteria for tool in c.tools}))

    def all_aliases(self) -> tuple[str, ...]:
        return tuple(sorted({alias for c in self.criteria for alias in c.aliases}))


def load_rubric(path: Path) -> Rubric:
    """Read and check a rubric file; any problem raises RubricError naming file and field."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise RubricError(f"{path}: file not found") from exc
    except tomllib.TOMLDecodeError as exc:
        raise RubricError(f"{path}: not valid TOML: {exc}") from exc
    return rubric_from_dict(data, source=path)


def rubric_from_dict(data: dict[str, Any], *, source: Path | None = None) -> Rubric:
    where = str(source) if source else "<rubric>"
    _reject_unknown_keys(data, {"question", "max_points", "pass_mark", "criterion", "misconception"}, where, "")
    question = _required_str(data, "question", where, "")
    max_points = _required_number(data, "max_points", where, "")
    if max_points <= 0:
        raise RubricError(f"{where}: field 'max_points' must be positive, got {max_points}")
    criteria = [_criterion(entry, where, f"criterion[{i}]", misconception=False)
                for i, entry in enumerate(_table_list(data, "criterion", where, required=True))]
    criteria += [_criterion(entry, where, f"misconception[{i}]", misconception=True)
                 for i, entry in enumerate(_table_list(data, "misconception", where, required=False))]
    _check_unique_ids(criteria, where)
    total = sum(c.points for c in criteria if not c.is_misconception)
    if not math.isclose(total, max_points):
        raise RubricError(f"{where}: field 'max_points' is {max_points} but the criteria's points sum to {total}")
    return Rubric(question=question, max_points=max_points, criteria=tuple(criteria), source=source,
                  pass_mark=_pass_mark(data, where))


def _pass_mark(data: dict[str, Any], where: str) -> float:
    """A percentage; a fraction such as 0.6 is refused rather than read as 0.6%."""
    if "pass_mark" not in data:
        return DEFAULT_PASS_MARK
    value = _required_number(data, "pass_mark", where, "")
    if not 1 < value <= 100:
        raise RubricError(f"{where}: field 'pass_mark' is a percentage of max_points (above 1, at most 100, e.g. 60), got {value:g}")
    return value


def _criterion(entry: Any, where: str, label: str, *, misconception: bool) -> Criterion:
    if not isinstance(entry, dict):
        raise RubricError(f"{where}: {label} must be a table")
    allowed = {"id", "points", "description", "aliases", "tools", "shares_evidence", *_EXEMPLAR_KINDS}
    _reject_unknown_keys(entry, allowed, where, f"{label}.")
    criterion_id = _required_str(entry, "id", where, f"{label}.")
    if not _ID_PATTERN.match(criterion_id):
        raise RubricError(f"{where}: field '{label}.id' must match {_ID_PATTERN.pattern}, got {criterion_id!r}")
    label = f"{label} ({criterion_id})"
    points = _required_number(entry, "points", where, f"{label}.")
    if misconception and points >= 0:
        raise RubricError(f"{where}: field '{label}.points' must be negative for a misconception")
    if not misconception and points <= 0:
        raise RubricError(f"{where}: field '{label}.points' must be positive")
    lists = {key: _str_list(entry, key, where, label) for key in ("aliases", "tools", *_EXEMPLAR_KINDS)}
    if not lists["positive"]:
        raise RubricError(f"{where}: field '{label}.positive' needs at least one exemplar")
    shares = entry.get("shares_evidence", False)
    if not isinstance(shares, bool):
        raise RubricError(f"{where}: field '{label}.shares_evidence' must be true or false")
    return Criterion(id=criterion_id, points=float(points),
                     description=_required_str(entry, "description", where, f"{label}."),
                     shares_evidence=shares, **{key: tuple(value) for key, value in lists.items()})


def _check_unique_ids(criteria: list[Criterion], where: str) -> None:
    seen: set[str] = set()
    for criterion in criteria:
        if criterion.id in seen:
            raise RubricError(f"{where}: field 'id' {criterion.id!r} is used by two criteria")
        seen.add(criterion.id)


def _reject_unknown_keys(data: dict[str, Any], allowed: set[str], where: str, prefix: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise RubricError(f"{where}: unknown field '{prefix}{unknown[0]}' (allowed: {', '.join(sorted(allowed))})")


def _required_str(data: dict[str, Any], key: str, where: str, prefix: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise RubricError(f"{where}: field '{prefix}{key}' must be a non-empty string")
    return value.strip()


def _required_number(data: dict[str, Any], key: str, where: str, prefix: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RubricError(f"{where}: field '{prefix}{key}' must be a number")
    return float(value)


def _str_list(entry: dict[str, Any], key: str, where: str, label: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RubricError(f"{where}: field '{label}.{key}' must be a list of non-empty strings")
    return [v.strip() for v in value]


def _table_list(data: dict[str, Any], key: str, where: str, *, required: bool) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise RubricError(f"{where}: field '{key}' must be an array of tables ([[{key}]])")
    if required and not value:
        raise RubricError(f"{where}: field '{key}' needs at least one [[{key}]] table")
    return value
