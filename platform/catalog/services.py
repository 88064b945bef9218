"""Writes to the catalog. `catalog_sync` loads packages from disk idempotently."""
from __future__ import annotations

import hashlib
import io
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from catalog.hints import split_hints
from catalog.markdown import render_markdown
from catalog.models import Challenge, ChallengeVersion, HintReveal
from graders.catalog import package_dirs
from graders.spec import ChallengeSpec, SpecError, load_spec

SKIP_NAMES = {"__pycache__", ".DS_Store"}


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} new version(s), {len(self.unchanged)} unchanged, "
            f"{len(self.deactivated)} deactivated, {len(self.errors)} error(s)"
        )


def catalog_sync(*, roots: list[Path]) -> SyncReport:
    """Load every package under `roots`. A changed package becomes a new version; an
    unchanged one writes nothing. An invalid package is reported and skipped, never fatal."""
    report = SyncReport()
    seen: set[str] = set()
    for package in package_dirs(roots):
        try:
            spec = load_spec(package)
        except SpecError as exc:
            report.errors.append(str(exc))
            seen.add(package.name)  # a broken package stays listed as it was
            continue
        seen.add(spec.slug)
        outcome = challenge_version_sync(spec=spec)
        getattr(report, outcome).append(spec.slug)
    for challenge in Challenge.objects.filter(is_active=True).exclude(slug__in=seen):
        challenge.is_active = False
        challenge.save(update_fields=["is_active", "updated_at"])
        report.deactivated.append(challenge.slug)
    return report


@transaction.atomic
def challenge_version_sync(*, spec: ChallengeSpec) -> str:
    """Create or update one challenge from its spec; returns created | updated | unchanged."""
    archive, digest = package_archive(spec.root)
    challenge, created = Challenge.objects.select_for_update().get_or_create(
        slug=spec.slug, defaults={"title": spec.title, "kind": spec.kind, "difficulty": spec.difficulty, "tags": spec.tags}
    )
    latest = challenge.versions.order_by("-number").first()
    if latest is not None and latest.content_hash == digest:
        if not challenge.is_active:
            challenge.is_active = True
            challenge.save(update_fields=["is_active", "updated_at"])
        return "unchanged"
    version = ChallengeVersion.objects.create(
        challenge=challenge,
        number=(latest.number + 1) if latest else 1,
        content_hash=digest,
        spec=_jsonable(spec.raw),
        statement_md=_read(spec.path("statement")),
        statement_html=render_markdown(_read(spec.path("statement"))),
        hints_md=_read(spec.path("hints")),
        editorial_md=_read(spec.path("editorial")),
        starter_files=_starter_files(spec),
        entry_file=spec.entry_file,
        device_kinds=spec.device_kinds(),
        package_archive=archive,
        source_path=str(spec.root),
    )
    challenge.title, challenge.kind, challenge.difficulty, challenge.tags = spec.title, spec.kind, spec.difficulty, spec.tags
    challenge.current_version = version
    challenge.is_active = True
    challenge.save()
    return "created" if created else "updated"


def package_archive(root: Path) -> tuple[bytes, str]:
    """A deterministic tar.gz of the package and the hash of its content."""
    digest = hashlib.sha256()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not SKIP_NAMES & set(p.relative_to(root).parts)):
            rel = path.relative_to(root).as_posix()
            data = path.read_bytes()
            digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
            info = tarfile.TarInfo(f"{root.name}/{rel}")
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue(), digest.hexdigest()


def _starter_files(spec: ChallengeSpec) -> dict[str, str]:
    starter = spec.path("starter")
    if not starter.is_dir():
        return {}
    return {p.name: _read(p) for p in sorted(starter.iterdir()) if p.is_file()}


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else ""
    except UnicodeDecodeError:
        return ""


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


class NoMoreHints(ValidationError):
    """Every hint of the challenge is already shown (or it has none)."""


@transaction.atomic
def hint_reveal(*, user, challenge: Challenge) -> HintReveal:
    """Record that `user` reveals the challenge's next hint (one at a time, in order)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Log in to reveal hints.")
    total = len(split_hints(challenge.current_version.hints_md if challenge.current_version else ""))
    Challenge.objects.select_for_update().filter(pk=challenge.pk).first()  # one reveal at a time per challenge
    shown = HintReveal.objects.filter(user=user, challenge=challenge).count()
    if total == 0:
        raise NoMoreHints("This challenge has no hints.")
    if shown >= total:
        raise NoMoreHints(f"All {total} hints are already shown.")
    reveal, _ = HintReveal.objects.get_or_create(user=user, challenge=challenge, index=shown)  # a double click reveals one
    return reveal
