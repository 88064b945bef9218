"""Reads from the catalog."""
from __future__ import annotations

from django.db.models import QuerySet

from catalog.hints import split_hints
from catalog.markdown import render_markdown
from catalog.models import Challenge, HintReveal

DIFFICULTY_ORDER = ("easy", "medium", "hard")
ANSWER_KINDS = ("written", "quiz")  # answers graded on the worker without a sandbox: they run on every device


def challenge_list(*, kind: str | None = None, tag: str | None = None, difficulty: str | None = None,
                   device: str | None = None) -> QuerySet[Challenge]:
    """Active challenges, filtered by kind, topic (a tag), difficulty and device kind (cpu, cuda)."""
    qs = Challenge.objects.filter(is_active=True, current_version__isnull=False).select_related("current_version")
    if kind:
        qs = qs.filter(kind=kind)
    if difficulty:
        qs = qs.filter(difficulty=difficulty)
    challenges = qs.order_by("difficulty", "slug")
    if tag or device:  # JSON lists: matched here, the same on SQLite and PostgreSQL (the catalog is small)
        keep = [c.pk for c in challenges if (not tag or tag in c.tags) and (not device or runs_on(c, device))]
        return challenges.filter(pk__in=keep)
    return challenges


def runs_on(challenge: Challenge, device: str) -> bool:
    """Whether the challenge's current version can be graded on this device kind (cpu, cuda)."""
    return challenge.kind in ANSWER_KINDS or device in (challenge.current_version.device_kinds or [])


def catalog_facets() -> dict[str, list[str]]:
    """The values the catalog can be filtered by: topics (tags), difficulties, devices."""
    challenges = list(challenge_list())
    difficulties = {c.difficulty for c in challenges}
    return {
        "tags": sorted({t for c in challenges for t in c.tags}),
        "difficulties": sorted(difficulties, key=lambda d: (DIFFICULTY_ORDER.index(d) if d in DIFFICULTY_ORDER else 99, d)),
        "devices": sorted({d for c in challenges for d in (c.current_version.device_kinds or [])}),
    }


def challenge_get(*, slug: str) -> Challenge:
    """Raises Challenge.DoesNotExist for unknown or retired slugs."""
    return Challenge.objects.select_related("current_version").get(slug=slug, is_active=True, current_version__isnull=False)


def hints_for(*, user, challenge: Challenge) -> dict:
    """The hints this user has revealed (rendered), how many there are, and the next one's number."""
    hints = split_hints(challenge.current_version.hints_md)
    shown = 0
    if getattr(user, "is_authenticated", False):
        shown = min(HintReveal.objects.filter(user=user, challenge=challenge).count(), len(hints))
    return {"revealed": [render_markdown(h) for h in hints[:shown]], "total": len(hints), "shown": shown,
            "next_number": shown + 1 if shown < len(hints) else None}
