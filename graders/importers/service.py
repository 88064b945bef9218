"""`import_problems`: find the source's problems, write one package each, size it for the CPU by
measurement in the sandbox, and have it validate itself (reference accepted, degenerate or not).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from graders.catalog import BUILTIN_ROOT, IMPORTED_ROOT
from graders.importers import report as categories
from graders.importers.base import SLUG_MAX, ImportProblemsError, ImportReport, Problem, Sizing, Skipped, get_format, slug_for, slug_problem
from graders.importers.probe import probe_package
from graders.importers.report import ImportRow
from graders.importers.self_check import self_check
from graders.importers.writer import PackageConflict, package_target, remove_package, write_package
from graders.spec import SpecError, load_spec


def import_problems(
    *,
    source: Path,
    fmt: str,
    prefix: str = "",
    out: Path = IMPORTED_ROOT,
    slug_max: int = SLUG_MAX,
    measure: bool = True,
    backend: str = "process",
    log: Callable[[str], None] = lambda line: None,
) -> ImportReport:
    """Write a package under `out` for every problem of format `fmt` found at `source`.
    With `measure` (the default) each package is sized and validated in the sandbox;
    without it, the CPU table keeps the published sizes and nothing runs."""
    importer = get_format(fmt)
    source = Path(source)
    if not source.exists():
        raise ImportProblemsError(f"{source} does not exist")
    if not 2 <= slug_max <= SLUG_MAX:
        raise ImportProblemsError(f"--slug-max must be between 2 and {SLUG_MAX}")
    out = _output_folder(Path(out))
    report = ImportReport()
    taken: dict[str, str] = {}
    for found in importer.find(source):
        row = _import_one(importer, found, prefix=prefix, out=out, slug_max=slug_max, taken=taken, measure=measure, backend=backend)
        report.rows.append(row)
        log(_line(row))
    return report


def _import_one(importer, found: Problem | Skipped, *, prefix: str, out: Path, slug_max: int, taken: dict, measure: bool, backend: str) -> ImportRow:
    if isinstance(found, Skipped):
        return ImportRow(found.relative_path, "", categories.REFUSED, found.reason)
    slug = slug_for(prefix=prefix, relative_path=found.relative_path, slug_max=slug_max)
    reason = _slug_refusal(slug, taken=taken, out=out)
    if reason:
        return ImportRow(found.relative_path, "", categories.REFUSED, reason)
    taken[slug] = found.relative_path
    origin = f"{importer.name} {found.relative_path}"
    target, reason = _write_checked(importer, found, slug=slug, out=out, origin=origin, sizing=None)
    if reason:
        return ImportRow(found.relative_path, "", categories.REFUSED, reason)
    if not measure:
        return ImportRow(found.relative_path, slug, categories.UNCHECKED, "not sized or validated (measure=False)")
    return _sized_and_checked(importer, found, slug=slug, out=out, origin=origin, target=target, backend=backend)


def _sized_and_checked(importer, problem: Problem, *, slug: str, out: Path, origin: str, target: Path, backend: str) -> ImportRow:
    """Probe the sizes, rewrite the package with them, then let it validate itself; a package
    whose reference fails on the CPU loses its CPU table (the reason is kept in its header)."""
    cases = problem.meta.get("tests")
    sizing = importer.sizing(probe_package(package=target, fmt=importer.name, cases=cases, backend=backend))
    verdict = None
    for _ in range(2):
        target, reason = _write_checked(importer, problem, slug=slug, out=out, origin=origin, sizing=sizing)
        if reason:
            return ImportRow(problem.relative_path, "", categories.REFUSED, reason)
        if not sizing.has_cpu:
            return ImportRow(problem.relative_path, slug, categories.CUDA_ONLY, sizing.note)
        verdict = self_check(package=target, backend=backend)
        if verdict.cpu_ok or verdict.degenerate:
            break
        sizing = Sizing(note=f"No CPU table: {verdict.reason}.", tags=sizing.tags)  # figures: none kept
    if not verdict.cpu_ok and not verdict.degenerate:
        return ImportRow(problem.relative_path, slug, categories.CUDA_ONLY, sizing.note)
    if verdict.degenerate:
        sizing = replace(sizing, tags=(*sizing.tags, "degenerate"), note=f"{sizing.note}\nDEGENERATE (not offered for ranking): {verdict.reason}.")
        _write_checked(importer, problem, slug=slug, out=out, origin=origin, sizing=sizing)
        return ImportRow(problem.relative_path, slug, categories.DEGENERATE, verdict.reason)
    return ImportRow(problem.relative_path, slug, categories.CPU, f"{sizing.note.removesuffix('.')}: {sizing.figures}")


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


def _write_checked(importer, problem: Problem, *, slug: str, out: Path, origin: str, sizing: Sizing | None) -> tuple[Path | None, str | None]:
    """Write the package; remove it again if the spec loader refuses it. (target, why it was refused)."""
    try:
        files = importer.package(problem, slug=slug, sizing=sizing)
        target = write_package(out=out, slug=slug, files=files, origin=origin)
    except (PackageConflict, TypeError, ValueError, OSError) as exc:
        return None, str(exc)
    try:
        load_spec(target)
    except SpecError as exc:
        remove_package(target)
        return None, f"invalid package, removed: {exc}"
    return target, None


def _line(row: ImportRow) -> str:
    if row.category == categories.REFUSED:
        return f"skipped  {row.problem}: {row.reason}"
    note = f"  ({row.reason.splitlines()[0]})" if row.reason and row.category != categories.UNCHECKED else ""
    return f"imported {row.slug}  <- {row.problem}  [{row.category}]{note}"
