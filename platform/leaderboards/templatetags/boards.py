"""Cheap formatting for board rows: a 50-row board renders hundreds of numbers and dates, and
Django's `floatformat` and `date` (locale-aware, Decimal-based) were most of a page's time."""
from django import template

register = template.Library()


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
