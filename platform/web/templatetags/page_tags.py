"""Template filters for the site's page structure (one <h1> per page, headings in order)."""
from __future__ import annotations

import re

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

HEADING_TAG = re.compile(r"<(/?)h([1-6])\b([^>]*)>", re.IGNORECASE)
LEADING_H1 = re.compile(r"^\s*<h1\b[^>]*>(.*?)</h1>\s*", re.IGNORECASE | re.DOTALL)


def _words(text: str) -> str:
    return " ".join(strip_tags(text).replace("`", "").split()).casefold()


@register.filter
def statement_body(html: str, title: str = "") -> SafeString:
    """A statement's rendered Markdown inside a page that has its own <h1> (the challenge's
    title): a leading heading that repeats the title is dropped, and the headings move down so
    the statement's top level is <h2>: the page keeps one <h1> and skips no level. `html` is the
    catalog's own rendering (catalog.markdown: sanitised at sync), already safe to show."""
    html = str(html or "")
    leading = LEADING_H1.match(html)
    if leading and _words(leading.group(1)) == _words(title):
        html = html[leading.end():]
    levels = [int(m.group(2)) for m in HEADING_TAG.finditer(html)]
    shift = max(0, 2 - min(levels)) if levels else 0

    def moved(match: re.Match) -> str:
        closing, level, attrs = match.groups()
        return f"<{closing}h{min(int(level) + shift, 6)}{attrs}>"

    return mark_safe(HEADING_TAG.sub(moved, html))  # noqa: S308 - the catalog's sanitised HTML, headings renamed only
