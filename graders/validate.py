"""Packages that test themselves: reference accepted, starter and `known_bad/` as labelled.

With `--perf`, also whether the reference reaches the tier its spec claims and the
starter misses the first tier, printed as a table. Exit status 1 when a verdict is
wrong, never because of speed.
"""
from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from graders import scoring, verdicts
from graders.catalog import challenge_roots, package_dirs
from graders.pipeline import GradeJob, JobError, files_from_path, grade
from graders.spec import ChallengeSpec, SpecError, load_spec

target_metric = scoring.target_metric  # the one rule, also the pipeline's; kept under its old name here
EXPECT_RE = re.compile(r"^#\s*expect:\s*([a-z_]+)\s*$")
EXPECT_DEVICE_RE = re.compile(r"^#\s*expect-(cpu|cuda):\s*([a-z_]+)\s*$")


@dataclass
class Row:
    slug: str
    device: str
    subject: str
    expected: str
    got: str
    ok: bool
    speedup: float | None = None  # the tiered figure: the speedup, or `metric` where it is another
    metric: str = "speedup"
    tier: int | None = None
    perf_note: str = ""


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("slugs", nargs="*", help="only these packages (default: all)")
    parser.add_argument("--perf", action="store_true", help="also check the reference's tier and that the starter misses the first")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--backend", default="process")


def expected_verdict(path: Path, device: str | None = None) -> str | None:
    """The verdict a `known_bad/` file's header names: `# expect: <verdict>` on the first
    line, optionally overridden per device by `# expect-cuda: <verdict>` (or `expect-cpu`)
    on the lines right after it, where a flaw shows only on one kind of device."""
    lines = path.read_text(encoding="utf-8").splitlines()
    match = EXPECT_RE.match(lines[0]) if lines else None
    if not match:
        return None
    verdict = match.group(1)
    for line in lines[1:4]:
        override = EXPECT_DEVICE_RE.match(line)
        if override is None:
            break
        if override.group(1) == device:
            verdict = override.group(2)
    return verdict


def validate_package(spec: ChallengeSpec, *, device: str, backend: str, perf: bool, roots: list[Path]) -> list[Row]:
    rows: list[Row] = []
    problems = statement_problems(spec)
    rows.append(Row(spec.slug, device, "statement", "renders", problems or "renders", not problems))
    if spec.kind == "written":
        return rows + _validate_written(spec, device)
    if device not in spec.device_kinds() and spec.kind != "quiz":
        return rows  # a quiz is graded on the worker, whatever the device
    subjects = [("reference", spec.path("reference"), verdicts.ACCEPTED), ("starter", spec.path("starter"), starter_expect(spec, device))]
    known_bad = spec.path("known_bad")
    if known_bad.is_dir():
        for path in sorted(p for p in known_bad.iterdir() if p.is_file() and not p.name.startswith(".")):
            subjects.append((f"known_bad/{path.name}", path, expected_verdict(path, device) or "<missing # expect: header>"))
    for subject, path, expected in subjects:
        extra = DEGENERACY_STEPS if subject == "reference" and checks_degeneracy(spec) else ()
        row, result = _graded(spec, device=device, backend=backend, subject=subject, path=path, expected=expected, perf=perf, roots=roots, extra_steps=extra)
        rows.append(row)
        if extra:
            rows += [r for r in [degeneracy_row(spec, device=device, result=result)] if r is not None]
    return rows


DEGENERATE_TAG = "degenerate"  # an imported package marked so: validated as such, never ranked
DEGENERACY_STEPS = ("degeneracy",)


def checks_degeneracy(spec: ChallengeSpec) -> bool:
    """Kernel packages compare outputs with an oracle: whether that comparison can fail at all is checked."""
    return spec.kind == "kernel" and "expected" in spec.harness


def degeneracy_row(spec: ChallengeSpec, *, device: str, result) -> Row | None:
    """The reference grading's `degeneracy` check as a row (None where it did not run)."""
    check = next((c for c in (result.checks if result else []) if c["name"] == "degeneracy"), None)
    if check is None:
        return None
    got = DEGENERATE_TAG if check["status"] == "fail" else f"not {DEGENERATE_TAG}"
    expected = DEGENERATE_TAG if DEGENERATE_TAG in spec.tags else f"not {DEGENERATE_TAG}"
    row = Row(spec.slug, device, "degeneracy", expected, got, got == expected)
    if got == DEGENERATE_TAG:
        row.got += f" ({check['detail'].removeprefix('degenerate: ')[:200]})"
    return row


def starter_expect(spec: ChallengeSpec, device: str) -> str:
    """The starter's verdict: `params.starter_expect` of the device table where it differs
    between devices (e.g. a host memory limit on the CPU, a CUDA out-of-memory error on a GPU)."""
    if device in spec.device_kinds():
        return str(spec.device(kind=device).params.get("starter_expect", spec.starter_expect))
    return spec.starter_expect


def subject_files(spec: ChallengeSpec, path: Path) -> dict[str, str]:
    """The subject's files laid over the starter's, as a candidate who changed only those
    files would submit them: a single file replaces the entry file, and a `reference/`
    folder holds only what it changes (the starter's `model.py` comes with it, say)."""
    files = files_from_path(path, entry_file=spec.entry_file)
    starter = spec.path("starter")
    if starter.is_dir() and starter.resolve() != Path(path).resolve():
        files = {**files_from_path(starter, entry_file=spec.entry_file), **files}
    return files


def _grade_row(spec, *, device, backend, subject, path, expected, perf, roots) -> Row:
    return _graded(spec, device=device, backend=backend, subject=subject, path=path, expected=expected, perf=perf, roots=roots)[0]


def _graded(spec, *, device, backend, subject, path, expected, perf, roots, extra_steps=()):
    """(the row, the grade result or None)."""
    try:
        files = subject_files(spec, path)
        job = GradeJob(slug=spec.slug, files=files, device=device, backend=backend, roots=roots, with_kernels=subject == "reference",
                       package_dir=spec.root, extra_steps=tuple(extra_steps))
        result = grade(job)
    except JobError as exc:
        return Row(spec.slug, device, subject, expected, f"error: {exc}", False), None
    row = Row(spec.slug, device, subject, expected, result.verdict, result.verdict == expected)
    if not row.ok:
        row.got += f" ({result.message[:160]})"
    if perf and result.verdict == verdicts.ACCEPTED and device in spec.device_kinds():
        metric = target_metric(spec.device(kind=device).targets)
        tiers = spec.device(kind=device).tiers(metric)
        row.speedup = result.metrics.get(metric)
        row.metric = metric
        row.tier = scoring.tier_reached(speedup=row.speedup, tiers=tiers)
        row.perf_note = _perf_note(spec, device, subject, row.tier, tiers)
    return row, result


def _perf_note(spec, device, subject, tier, tiers) -> str:
    claimed = spec.device(kind=device).reference_tier
    if subject == "reference" and claimed is not None:
        return "reaches its tier" if tier >= claimed else f"MISSES tier {claimed} (reached {tier})"
    if subject == "starter" and tiers:
        return "misses tier 1" if tier == 0 else f"REACHES tier {tier}"
    return ""


def _validate_written(spec: ChallengeSpec, device: str) -> list[Row]:
    from graders.rubric import load_rubric, validate_rubric

    try:
        problems = validate_rubric(rubric=load_rubric(spec.path("rubric")))
    except Exception as exc:  # noqa: BLE001 - report any rubric failure as a row
        problems = [f"{type(exc).__name__}: {exc}"]
    return [Row(spec.slug, device, "rubric", "well formed, exemplars as labelled", "; ".join(problems) or "ok", not problems)]


def statement_problems(spec: ChallengeSpec) -> str:
    import markdown

    try:
        text = spec.path("statement").read_text(encoding="utf-8")
        html = markdown.markdown(text, extensions=["fenced_code", "tables"])
    except Exception as exc:  # noqa: BLE001
        return f"does not render: {exc}"
    return "" if html.strip() else "renders empty"


def validate_options(options: dict) -> dict:
    """`run_validate`'s keyword arguments from parsed `add_validate_arguments` options (argparse or Django)."""
    return {key: options[key] for key in ("slugs", "perf", "device", "backend")}


def run_validate(*, roots: list[Path], slugs: list[str] | None = None, device: str = "cpu", backend: str = "process",
                 perf: bool = False, out=sys.stdout) -> int:
    """Validate every package in the roots (or only `slugs`), print the table; 1 when a verdict is wrong."""
    rows: list[Row] = []
    for package in package_dirs(challenge_roots(roots)):
        if slugs and package.name not in slugs:
            continue
        try:
            spec = load_spec(package)
        except SpecError as exc:
            rows.append(Row(package.name, device, "challenge.toml", "valid", str(exc), False))
            continue
        rows.extend(validate_package(spec, device=device, backend=backend, perf=perf, roots=roots))
    out.write(_table(rows, header=True, perf=perf))
    failed = [r for r in rows if not r.ok]
    out.write(f"\n{len(rows) - len(failed)} of {len(rows)} checks as expected on {device}\n")
    return 1 if failed else 0


def _table(rows: list[Row], *, header: bool, perf: bool) -> str:
    cols = ["package", "device", "subject", "expected", "got", "ok"] + (["figure", "tier", "perf"] if perf else [])
    lines = []
    for r in rows:
        cells = [r.slug, r.device, r.subject, r.expected, r.got, "ok" if r.ok else "WRONG"]
        if perf:
            figure = "" if r.speedup is None else f"{r.speedup:.3f}" + ("x" if r.metric == "speedup" else f" {r.metric}")
            cells += [figure, "" if r.tier is None else str(r.tier), r.perf_note]
        lines.append(cells)
    widths = [max([len(c)] + [len(l[i]) for l in lines]) for i, c in enumerate(cols)]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    text = [fmt(cols), "|" + "|".join("-" * (w + 2) for w in widths) + "|"] if header else []
    text += [fmt(l) for l in lines]
    return "\n".join(text) + "\n"
