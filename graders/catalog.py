"""Where challenge packages live: `challenges/`, `var/challenges/` and any extra roots."""
from __future__ import annotations

import os
from pathlib import Path

from graders.spec import ChallengeSpec, load_spec

REPO_ROOT = Path(__file__).resolve().parent.parent
BUILTIN_ROOT = REPO_ROOT / "challenges"
IMPORTED_ROOT = REPO_ROOT / "var" / "challenges"
CHALLENGE_DIRS_ENV = "HOTPATH_CHALLENGE_DIRS"


class UnknownChallenge(LookupError):
    pass


def configured_dirs(value: str | None = None) -> list[Path]:
    """The extra roots of `HOTPATH_CHALLENGE_DIRS` (or `value`): `:`-separated, as the README
    says. The one place that variable is parsed; the Django setting is this list."""
    raw = os.environ.get(CHALLENGE_DIRS_ENV, "") if value is None else value
    return [Path(part) for part in raw.split(":") if part.strip()]


def challenge_roots(extra: list[str | Path] | None = None) -> list[Path]:
    """The catalog roots, in priority order: built-in, imported, extra ones, then configured ones."""
    roots = [BUILTIN_ROOT, IMPORTED_ROOT]
    for path in [*(extra or []), *configured_dirs()]:
        path = Path(path).resolve()
        if path not in roots:
            roots.append(path)
    return roots


def package_dirs(roots: list[Path]) -> list[Path]:
    found: dict[str, Path] = {}
    for root in roots:
        if not root.is_dir():
            continue
        for child in sorted(root.iterdir()):
            if (child / "challenge.toml").is_file() and child.name not in found:
                found[child.name] = child
    return list(found.values())


def find_package(slug: str, *, roots: list[Path]) -> Path:
    for root in roots:
        candidate = root / slug
        if slug and "/" not in slug and not slug.startswith(".") and (candidate / "challenge.toml").is_file():
            return candidate
    raise UnknownChallenge(f"unknown challenge {slug!r}; looked in {', '.join(str(r) for r in roots)}")


def load_challenge(slug: str, *, roots: list[Path]) -> ChallengeSpec:
    return load_spec(find_package(slug, roots=roots))
