"""`import_problems`: find the source's problems, write one package each, keep only valid ones."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from graders.catalog import BUILTIN_ROOT, IMPORTED_ROOT
from graders.importers.base import ImportProblemsError, ImportReport, Problem, Skipped, get_format, slug_for, slug_problem
from graders.importers.writer import PackageConflict, package_target, remove_package, write_package
from graders.spec import SpecError, load_spec


def import_problems(
    *,
    source: Path,
    fmt: str,
    prefix: str = "",
    out: Path = IMPORTED_ROOT,
    log: Callable[[str], None] = lambda line: None,
) -> ImportReport:
    """Write a package under `out` for every problem of format `fmt` found at `source`."""
    importer = get_format(fmt)
    source = Path(source)
    if not source.exists():
        raise ImportProblemsError(f"{source} does not exist")
    out = _output_folder(Path(out))
    report = ImportReport()
    taken: dict[str, str] = {}
    for found in importer.find(source):
        if isinstance(found, Skipped):
            _skip(report, log, found.relative_path, found.reason)
            continue
        slug = slug_for(prefix=prefix, relative_path=found.relative_path)
        reason = _slug_refusal(slug, taken=taken, out=out)
        if reason:
            _skip(report, log, found.relative_path, reason)
            continue
        taken[slug] = found.relative_path
        reason = _write_and_validate(importer, found, slug=slug, out=out, origin=f"{importer.name} {found.relative_path}")
        if reason:
            _skip(report, log, found.relative_path, reason)
            continue
        report.imported.append(slug)
        log(f"imported {slug}  <- {found.relative_path}")
    return report


def _output_folder(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ImportProblemsError(f"cannot create the output folder {out}: {exc.strerror}") from None
    if not out.is_dir():
        raise ImportProblemsError(f"{out} is not a folder")
    return out.resolve()


def _slug_refusal(slug: str, *, taken: dict[str, str], out: Path) -> str | None:
    problem = slug_problem(slug)
    if problem:
        return problem
    if slug in taken:
        return f"slug {slug!r} is already used by {taken[slug]}"
    if (BUILTIN_ROOT / slug).is_dir() and out != BUILTIN_ROOT.resolve():
        return f"slug {slug!r} is a built-in challenge; pick a --prefix"
    try:
        package_target(out=out, slug=slug)
    except PackageConflict as exc:
        return str(exc)
    return None


def _write_and_validate(importer, problem: Problem, *, slug: str, out: Path, origin: str) -> str | None:
    """Write the package; remove it again if the spec loader refuses it. Returns why it was skipped."""
    try:
        files = importer.package(problem, slug=slug)
        target = write_package(out=out, slug=slug, files=files, origin=origin)
    except (PackageConflict, TypeError, ValueError, OSError) as exc:
        return str(exc)
    try:
        load_spec(target)
    except SpecError as exc:
        remove_package(target)
        return f"invalid package, removed: {exc}"
    return None


def _skip(report: ImportReport, log: Callable[[str], None], name: str, reason: str) -> None:
    report.skipped.append((name, reason))
    log(f"skipped  {name}: {reason}")
