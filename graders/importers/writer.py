"""Writing one package under the output folder: never outside it, never over a hand-made package."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from graders.spec import path_stays_inside

MARKER = ".hotpath-import"  # names a folder this tool wrote, so a re-run may replace it


class PackageConflict(ValueError):
    """The target exists and was not written by an import, or a path would leave the output folder."""


def package_target(*, out: Path, slug: str) -> Path:
    out = out.resolve()
    target = (out / slug).resolve()
    if target.parent != out or not slug or slug.startswith("."):
        raise PackageConflict(f"slug {slug!r} would write outside {out}")
    return target


def write_package(*, out: Path, slug: str, files: dict[str, str], origin: str) -> Path:
    """Write the package into a fresh folder, then swap it in for the previous import, if any."""
    target = package_target(out=out, slug=slug)
    if target.exists() and not (target / MARKER).is_file():
        raise PackageConflict(f"{target} exists and was not written by import_problems; not replacing it")
    staging = Path(tempfile.mkdtemp(prefix=f".{slug}-", dir=target.parent))
    try:
        for relative, text in files.items():
            path = _inside(staging, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        (staging / MARKER).write_text(origin + "\n", encoding="utf-8")
        if target.exists():
            remove_package(target)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def remove_package(target: Path) -> None:
    if (target / MARKER).is_file():
        shutil.rmtree(target)


def _inside(root: Path, relative: str) -> Path:
    parts = PurePosixPath(relative).parts
    if not parts or not path_stays_inside(relative):
        raise PackageConflict(f"file {relative!r} would leave the package")
    return root.joinpath(*parts)
