"""Board rows rendered in Python: a 50-row board is hundreds of numbers, dates and escapes,
and as template loops (with `floatformat` and `date`, which are locale-aware and
Decimal-based) they were most of a board page's time. The markup is the same."""
import uuid

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()
FLAG_TITLES = {
    "noisy": "the speedup's CI target was not met within the time budget",
    "timing_mismatch": "in-process timings disagreed with the outside clock",
}
_PLACEHOLDER = uuid.UUID(int=0)


@register.filter
def fixed(value, digits=1):
    """`value` with `digits` decimals; an em dash for none."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def day(value):
    """YYYY-MM-DD (UTC, as stored)."""
    return value.strftime("%Y-%m-%d") if value else ""


def _speedup(row) -> str:
    if row.speedup is None:
        return '<span class="muted">—</span>'
    text = f"{row.speedup:.3f}×"
    if row.speedup_ci:
        text += f' <span class="muted">({row.speedup_ci[0]:.3f}–{row.speedup_ci[1]:.3f})</span>'
    return text + "".join(f'<span class="tag flag" title="{escape(FLAG_TITLES.get(f, f))}">{escape(f)}</span>' for f in row.flags)


@register.simple_tag
def board_rows(rows) -> SafeString:
    """<tr>s for leaderboards.selectors.BoardRow rows (rank, user, score, speedup with CI and marks, date, entry link)."""
    if not rows:
        return mark_safe('<tr><td colspan="6" class="muted">No accepted submissions yet.</td></tr>')
    entry_url = reverse("leaderboard_entry", args=[_PLACEHOLDER])
    return mark_safe("\n".join(
        f'<tr data-user="{escape(r.username)}"><td>{r.rank}</td><td>{escape(r.username)}</td><td>{r.score:.1f}</td>'
        f'<td>{_speedup(r)}</td><td>{day(r.submitted_at)}</td>'
        f'<td><a href="{entry_url.replace(str(_PLACEHOLDER), escape(r.submission_id))}">entry</a></td></tr>'
        for r in rows
    ))


@register.simple_tag
def global_rows(rows) -> SafeString:
    """<tr>s for leaderboards.selectors.GlobalRow rows."""
    if not rows:
        return mark_safe('<tr><td colspan="5" class="muted">No accepted submissions yet.</td></tr>')
    return mark_safe("\n".join(
        f'<tr data-user="{escape(r.username)}"><td>{r.rank}</td><td>{escape(r.username)}</td><td>{r.total_score:.1f}</td>'
        f'<td>{r.challenges}</td><td>{day(r.last_improved_at)}</td></tr>'
        for r in rows
    ))
