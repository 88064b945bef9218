"""What every importer shares: the problem record, slugs, the format registry, the report."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Protocol, runtime_checkable

from graders.importers.report import ImportReport  # noqa: F401 - re-exported
from graders.spec import SLUG_RE

TEMPLATES = Path(__file__).resolve().parent / "templates"
SLUG_MAX = 80  # what graders.spec.SLUG_RE allows


class ImportProblemsError(ValueError):
    """The import as a whole cannot run (missing PATH, unknown format, bad --out)."""


@dataclass(frozen=True)
class Problem:
    """One problem found in the source: its path relative to PATH and the files it brings."""

    relative_path: str  # posix, e.g. "level1/19_ReLU" or "pmpp/vectoradd_py"
    source: Path
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Skipped:
    relative_path: str
    reason: str


@dataclass(frozen=True)
class Sizing:
    """What the sandboxed probe chose for the CPU table (None there: no CPU table, `note` says why)."""

    cpu_constants: dict | None = None  # KernelBench: every module constant of the CPU case
    cpu_cases: list | None = None  # GPU MODE: the task.yml cases (possibly scaled) graded on the CPU
    note: str = ""
    tags: tuple[str, ...] = ()
    figures: str = ""  # what was measured there, for the report only
    cpu_tolerance: float | None = None  # float32 rel L2, from the reference's own float32 error

    @property
    def has_cpu(self) -> bool:
        return self.cpu_constants is not None or self.cpu_cases is not None


@runtime_checkable
class ProblemFormat(Protocol):
    name: str
    label: str

    def find(self, source: Path) -> Iterator[Problem | Skipped]: ...

    def package(self, problem: Problem, *, slug: str, sizing: Sizing | None = None) -> dict[str, str]: ...

    def sizing(self, answer: dict) -> Sizing: ...


_FORMATS: dict[str, ProblemFormat] = {}


def register_format(cls: type) -> type:
    """Class decorator: refuses a duplicate name and a class missing part of ProblemFormat."""
    instance = cls()
    name = getattr(instance, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} has no format name")
    missing = [m for m in ("label", "find", "package", "sizing") if not hasattr(instance, m)]
    if missing or not isinstance(instance, ProblemFormat):
        raise TypeError(f"{cls.__name__} is incomplete: missing {', '.join(missing) or 'callables'}")
    if name in _FORMATS:
        raise ValueError(f"an importer for {name!r} is already registered")
    _FORMATS[name] = instance
    return cls


def format_names() -> list[str]:
    return sorted(_FORMATS)


def get_format(name: str) -> ProblemFormat:
    try:
        return _FORMATS[name]
    except KeyError:
        raise ImportProblemsError(f"unknown format {name!r}; known: {', '.join(format_names())}") from None


def slug_for(*, prefix: str, relative_path: str, slug_max: int = SLUG_MAX) -> str:
    """P plus the relative path, lower-cased, runs of non-alphanumerics turned into one `-`.
    Longer than `slug_max`: cut, with a hash of the relative path added (stable, so a re-run
    replaces the same package)."""
    slug = re.sub(r"[^a-z0-9]+", "-", (prefix + relative_path).lower()).strip("-")
    if len(slug) <= slug_max:
        return slug
    digest = hashlib.sha1(relative_path.encode()).hexdigest()[:8]
    return slug[: max(1, slug_max - len(digest) - 1)].rstrip("-") + "-" + digest


def slug_problem(slug: str) -> str | None:
    """Why a slug cannot be a package folder, or None."""
    if not SLUG_RE.match(slug):
        return f"slug {slug!r} is not 2-80 lower-case letters, digits and '-'"
    return None


def template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def humanize(stem: str) -> str:
    words = re.sub(r"[_\-\s]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else stem


def harness_stub(*, adapter: str, names: list[str], what: str) -> str:
    """tests/<file>.py: loads the adapter beside it (the supervisor puts only the package root on sys.path)."""
    return (
        f'"""{what}: see {adapter}.py."""\n'
        "import sys\n"
        "from pathlib import Path\n\n"
        "sys.path.insert(0, str(Path(__file__).resolve().parent))\n"
        f"from {adapter} import {', '.join(names)}  # noqa: E402,F401\n"
    )



