"""Reads from the catalog."""
from __future__ import annotations

from django.db.models import QuerySet

from catalog.models import Challenge


def challenge_list(*, kind: str | None = None, tag: str | None = None) -> QuerySet[Challenge]:
    qs = Challenge.objects.filter(is_active=True, current_version__isnull=False).select_related("current_version")
    if kind:
        qs = qs.filter(kind=kind)
    challenges = qs.order_by("difficulty", "slug")
    if tag:
        return challenges.filter(pk__in=[c.pk for c in challenges if tag in c.tags])
    return challenges


def challenge_get(*, slug: str) -> Challenge:
    """Raises Challenge.DoesNotExist for unknown or retired slugs."""
    return Challenge.objects.select_related("current_version").get(slug=slug, is_active=True, current_version__isnull=False)
