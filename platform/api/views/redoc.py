"""Redoc's standalone bundle as drf-spectacular-sidecar ships it, less its one fetch from outside
the app: the "API docs by Redocly" sidebar logo, an <img> from cdn.redoc.ly that no Redoc option
turns off. The bundle is read once and served from memory; the docs page (api/redoc.html) loads it."""
from __future__ import annotations

import functools
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.views.decorators.http import require_GET

BUNDLE = "drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js"
REDOCLY_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
EMPTY_SVG = "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"


@functools.cache
def local_bundle() -> bytes:
    """The bundle with the logo's URL replaced by an empty inline image (the link text stays)."""
    text = Path(finders.find(BUNDLE)).read_text(encoding="utf-8")
    return text.replace(REDOCLY_LOGO, EMPTY_SVG).encode("utf-8")


@require_GET
def redoc_bundle(request):
    response = HttpResponse(local_bundle(), content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
