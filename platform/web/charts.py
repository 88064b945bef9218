"""Result charts as server-side SVG: no script, no external library, readable without colour
(every series has a text label) and by a screen reader (`<title>`, `<desc>`, role="img").

Each function takes a part of `Result.metrics` as the graders recorded it and returns the SVG
markup, or "" when there is nothing to draw (an old result, a grading that stopped early). Any
field may be missing or malformed: a chart draws what it can and never raises. Every label is
escaped (case names and profile rows come from the run; a profile's rows are the candidate's).
"""
from __future__ import annotations

import math
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
ROW_H = 22
LEFT = 170  # room for the row labels
RIGHT = 24
CANDIDATE, BASELINE, ACCENT, MUTED = "#1f5fa8", "#a0522d", "#2e7d32", "#6b7280"
MAX_ROWS = 24


def _num(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _pos(value) -> float | None:
    value = _num(value)
    return value if value is not None and value > 0 else None


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _esc(text) -> str:
    return escape(str(text), quote=True)


def _short(text, limit: int = 28) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(*, chart_id: str, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{_esc(chart_id)}" role="img" '
            f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
            f'aria-labelledby="{_esc(chart_id)}-title {_esc(chart_id)}-desc" font-family="sans-serif" font-size="12">'
            f'<title id="{_esc(chart_id)}-title">{_esc(title)}</title><desc id="{_esc(chart_id)}-desc">{_esc(desc)}</desc>')
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 - every interpolated text is escaped above and in the callers


def _text(x: float, y: float, text, *, anchor: str = "start", fill: str = "#111", size: int | None = None, cls: str = "") -> str:
    extra = f' font-size="{size}"' if size else ""
    extra += f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}"{extra}>{_esc(text)}</text>'


def _line(x1, y1, x2, y2, *, stroke: str = MUTED, width: float = 1, dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{stroke}" stroke-width="{width}"{dashed}/>'


def _rect(x, y, w, h, *, fill: str, opacity: float = 1.0, label: str = "") -> str:
    tip = f"<title>{_esc(label)}</title>" if label else ""
    return f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{h:.1f}" fill="{fill}" fill-opacity="{opacity}">{tip}</rect>'


class _Scale:
    """Linear from [lo, hi] to pixels [left, right]."""

    def __init__(self, lo: float, hi: float, left: float, right: float) -> None:
        self.lo, self.hi = lo, hi if hi > lo else lo + 1.0
        self.left, self.right = left, right

    def __call__(self, value: float) -> float:
        return self.left + (value - self.lo) / (self.hi - self.lo) * (self.right - self.left)


def _ticks(hi: float, count: int = 4) -> list[float]:
    if hi <= 0:
        return [0.0]
    raw = hi / count
    step = 10 ** math.floor(math.log10(raw))
    for mult in (1, 2, 2.5, 5, 10):
        if raw <= mult * step:
            step *= mult
            break
    return [i * step for i in range(int(hi / step) + 1)]


def _x_axis(scale: _Scale, *, y: float, top: float, unit: str) -> list[str]:
    parts = [_line(scale.left, y, scale.right, y)]
    for tick in _ticks(scale.hi):
        x = scale(tick)
        parts += [_line(x, top, x, y, stroke="#e5e7eb"), _text(x, y + 14, f"{_fmt(tick)}{unit}", anchor="middle", fill=MUTED)]
    return parts


# -- latency distribution per case -------------------------------------------------------------
def _five(side) -> dict | None:
    """min, p25, median, p75, max (the whiskers p05-p95 where recorded) of one side, in ms."""
    if not isinstance(side, dict):
        return None
    dist = side.get("quantiles")
    if isinstance(dist, dict) and isinstance(dist.get("q"), list) and isinstance(dist.get("ms"), list):
        found = {q: _num(v) for q, v in zip(dist["q"], dist["ms"]) if _num(q) is not None}
        want = {"lo": 0.05, "q1": 0.25, "med": 0.5, "q3": 0.75, "hi": 0.95}
        if all(found.get(q) is not None for q in want.values()):
            return {k: found[q] for k, q in want.items()} | {"box": True}
    med, p10, p90 = (_num(side.get(k)) for k in ("median", "p10", "p90"))
    if med is None:
        return None
    return {"lo": p10 if p10 is not None else med, "q1": med, "med": med, "q3": med, "hi": p90 if p90 is not None else med, "box": False}


def latency_distribution(cases, *, chart_id: str = "chart-latency") -> str:
    """Per case: the candidate's per-call times against the baseline's (box p25-p75, whiskers
    p05-p95, median marked; only p10-median-p90 where the quantiles were not recorded)."""
    rows = []
    for case in (cases if isinstance(cases, list) else [])[:MAX_ROWS]:
        if not isinstance(case, dict):
            continue
        name = f"{case.get('case', '?')} {case.get('dtype', '')}".strip()
        for role, colour, who in (("candidate", CANDIDATE, "yours"), ("baseline", BASELINE, "baseline")):
            five = _five(case.get(role))
            if five is not None:
                rows.append((name, who, colour, five))
    if not rows:
        return ""
    groups = list(dict.fromkeys(r[0] for r in rows))
    height = 30 + len(rows) * ROW_H + len(groups) * 16 + 30
    top = 24
    body, y, described = [], top, []
    # One axis per case would hide the comparison; cases differ by orders of magnitude, so each
    # case's pair is drawn on its own scale, and the scale's end is printed beside it.
    for group in groups:
        mine = [r for r in rows if r[0] == group]
        hi = max(r[3]["hi"] for r in mine) * 1.1 or 1.0
        scale = _Scale(0.0, hi, LEFT, WIDTH - RIGHT - 60)
        body.append(_text(8, y + 12, _short(group, 40), fill="#111", cls="chart-group"))
        body.append(_text(WIDTH - RIGHT, y + 12, f"0–{_fmt(hi)} ms", anchor="end", fill=MUTED))
        y += 16
        for _, who, colour, five in mine:
            mid = y + ROW_H / 2
            body.append(_text(LEFT - 8, mid + 4, who, anchor="end"))
            body.append(_line(scale(five["lo"]), mid, scale(five["hi"]), mid, stroke=colour, width=1.5))
            for end in ("lo", "hi"):
                body.append(_line(scale(five[end]), mid - 5, scale(five[end]), mid + 5, stroke=colour, width=1.5))
            if five["box"]:
                body.append(_rect(scale(five["q1"]), mid - 7, scale(five["q3"]) - scale(five["q1"]), 14, fill=colour, opacity=0.25,
                                  label=f"{who}: p25 {_fmt(five['q1'])} ms, p75 {_fmt(five['q3'])} ms"))
            body.append(_line(scale(five["med"]), mid - 8, scale(five["med"]), mid + 8, stroke=colour, width=3))
            body.append(_text(scale(five["hi"]) + 6, mid + 4, f"{_fmt(five['med'])} ms", fill=colour))
            described.append(f"{group}, {who}: median {_fmt(five['med'])} ms, {'p05' if five['box'] else 'p10'} {_fmt(five['lo'])} ms, "
                             f"{'p95' if five['box'] else 'p90'} {_fmt(five['hi'])} ms")
            y += ROW_H
    body.append(_text(8, height - 10, "box: middle half of the calls · whiskers: p05–p95 · thick mark: median", fill=MUTED, size=11))
    return _svg(chart_id=chart_id, height=height, title="Latency per call, yours against the baseline",
                desc="; ".join(described), body=body)


# -- speedup per case against the tiers -------------------------------------------------------
def speedup_tiers(cases, tiers, *, overall=None, chart_id: str = "chart-speedup") -> str:
    """One bar per case (its 95% CI as a whisker), the baseline's 1x and each target tier marked."""
    rows = []
    for case in (cases if isinstance(cases, list) else [])[:MAX_ROWS]:
        if isinstance(case, dict) and _pos(case.get("speedup")) is not None:
            ci = case.get("speedup_ci")
            ci = [_pos(v) for v in ci] if isinstance(ci, list) and len(ci) == 2 else None
            rows.append((f"{case.get('case', '?')} {case.get('dtype', '')}".strip(), _pos(case["speedup"]), ci if ci and None not in ci else None))
    overall = _pos(overall)
    if overall is not None and len(rows) > 1:
        rows.append(("all cases (geometric mean)", overall, None))
    if not rows:
        return ""
    tiers = [t for t in (_pos(t) for t in (tiers if isinstance(tiers, (list, tuple)) else [])) if t is not None]
    hi = max([1.0, *tiers, *(r[1] for r in rows), *(r[2][1] for r in rows if r[2])]) * 1.12
    top = 42  # room for the tier labels, staggered on two lines
    height = top + len(rows) * ROW_H + 48
    scale = _Scale(0.0, hi, LEFT, WIDTH - RIGHT - 50)
    bottom = top + len(rows) * ROW_H
    body = _x_axis(scale, y=bottom, top=top, unit="×")
    for index, tier in enumerate(tiers, start=1):
        x = scale(tier)
        body += [_line(x, top - 6, x, bottom, stroke=ACCENT, width=1.5, dash="5 3"),
                 _text(x, top - 10 - (index % 2) * 14, f"tier {index}: {_fmt(tier)}×", anchor="middle", fill=ACCENT, size=11)]
    body.append(_line(scale(1.0), top, scale(1.0), bottom, stroke=BASELINE, width=1.5))
    body.append(_text(scale(1.0), bottom + 30, "baseline 1×", anchor="middle", fill=BASELINE, size=11))
    described = []
    for index, (name, value, ci) in enumerate(rows):
        y = top + index * ROW_H
        reached = sum(1 for t in tiers if value >= t)
        body.append(_text(LEFT - 8, y + ROW_H / 2 + 4, _short(name), anchor="end"))
        body.append(_rect(scale(0), y + 4, scale(value) - scale(0), ROW_H - 8, fill=CANDIDATE, opacity=0.85,
                          label=f"{name}: {_fmt(value)}×"))
        end = scale(value)
        if ci:
            body += [_line(scale(ci[0]), y + ROW_H / 2, scale(ci[1]), y + ROW_H / 2, stroke="#111", width=1.2),
                     _line(scale(ci[0]), y + 6, scale(ci[0]), y + ROW_H - 6, stroke="#111"),
                     _line(scale(ci[1]), y + 6, scale(ci[1]), y + ROW_H - 6, stroke="#111")]
            end = max(end, scale(ci[1]))
        body.append(_text(end + 5, y + ROW_H / 2 + 4, f"{_fmt(value)}×", fill=CANDIDATE))
        ci_text = f" (95% CI {_fmt(ci[0])}–{_fmt(ci[1])})" if ci else ""
        described.append(f"{name}: {_fmt(value)}×{ci_text}, {reached} of {len(tiers)} tier(s)")
    tiers_text = ", ".join(f"tier {i}: {_fmt(t)}×" for i, t in enumerate(tiers, start=1)) or "no target tiers"
    return _svg(chart_id=chart_id, height=height, title="Speedup over the baseline per case, against the target tiers",
                desc=f"{tiers_text}. " + "; ".join(described), body=body)


# -- throughput curve ------------------------------------------------------------------------
def throughput_curve(throughput, *, chart_id: str = "chart-throughput") -> str:
    """Requests per second and p99 latency against the load (concurrency or arrival rate), one
    line per side and max_batch."""
    points = throughput.get("points") if isinstance(throughput, dict) else None
    if not isinstance(points, list):
        return ""
    load_key = "rate" if throughput.get("mode") == "open" else "concurrency"
    series: dict[tuple, list[tuple[float, float | None, float | None]]] = {}
    for point in points[:200]:
        if not isinstance(point, dict) or _pos(point.get(load_key)) is None:
            continue
        latency = point.get("latency_ms") if isinstance(point.get("latency_ms"), dict) else {}
        key = (str(point.get("role", "?")), point.get("max_batch"))
        series.setdefault(key, []).append((_pos(point[load_key]), _num(point.get("rps")), _num(latency.get("p99"))))
    if not series:
        return ""
    loads = sorted({p[0] for line in series.values() for p in line})
    panel_h, gap, top = 150, 46, 24
    height = top + 2 * panel_h + gap + 60 + 16 * len(series)
    x_of = {load: LEFT - 90 + (i + 0.5) * (WIDTH - RIGHT - LEFT + 90) / len(loads) for i, load in enumerate(loads)}
    body, described = [], []
    colours = [CANDIDATE, BASELINE, ACCENT, "#7b1fa2", "#00838f", "#c62828"]
    for panel, (index, title, unit) in enumerate(((1, "requests/s", ""), (2, "p99 latency", " ms"))):
        y0 = top + panel * (panel_h + gap)
        values = [p[index] for line in series.values() for p in line if p[index] is not None]
        hi = max(values, default=1.0) * 1.1 or 1.0
        scale = _Scale(0.0, hi, y0 + panel_h, y0)  # pixels grow downwards
        body.append(_text(8, y0 - 8, title, cls="chart-group"))
        for tick in _ticks(hi, 3):
            body += [_line(LEFT - 90, scale(tick), WIDTH - RIGHT, scale(tick), stroke="#e5e7eb"),
                     _text(LEFT - 94, scale(tick) + 4, f"{_fmt(tick)}{unit}", anchor="end", fill=MUTED, size=11)]
        for load, x in x_of.items():
            body.append(_text(x, y0 + panel_h + 14, _fmt(load), anchor="middle", fill=MUTED, size=11))
        for number, (key, line) in enumerate(sorted(series.items(), key=lambda kv: (kv[0][0] != "candidate", str(kv[0][1])))):
            colour = colours[number % len(colours)]
            coords = [(x_of[p[0]], scale(p[index]), p) for p in sorted(line) if p[index] is not None]
            if len(coords) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in coords)
                dash = "" if key[0] == "candidate" else ' stroke-dasharray="6 3"'
                body.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
            for x, y, p in coords:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"><title>{_esc(_series_name(key))}, '
                            f'{load_key} {_fmt(p[0])}: {_fmt(p[index])}{_esc(unit) or " req/s"}</title></circle>')
    axis_y = top + 2 * panel_h + gap + 30
    body.append(_text((LEFT - 90 + WIDTH - RIGHT) / 2, axis_y, "concurrent requests" if load_key == "concurrency" else "arrival rate (req/s)",
                      anchor="middle", fill=MUTED))
    for number, (key, line) in enumerate(sorted(series.items(), key=lambda kv: (kv[0][0] != "candidate", str(kv[0][1])))):
        colour = colours[number % len(colours)]
        y = axis_y + 16 * (number + 1)
        body += [_line(LEFT - 90, y - 4, LEFT - 66, y - 4, stroke=colour, width=2, dash="" if key[0] == "candidate" else "6 3"),
                 _text(LEFT - 60, y, _series_name(key))]
        described.append(_series_name(key) + ": " + ", ".join(
            f"{load_key} {_fmt(p[0])} {_fmt(p[1]) if p[1] is not None else '?'} req/s p99 {_fmt(p[2]) if p[2] is not None else '?'} ms" for p in sorted(line)))
    return _svg(chart_id=chart_id, height=axis_y + 16 * len(series) + 10, title="Throughput and p99 latency against the load",
                desc="; ".join(described), body=body)


def _series_name(key: tuple) -> str:
    who = "yours" if key[0] == "candidate" else key[0]
    return f"{who}, max_batch {key[1]}" if key[1] is not None else who


# -- top operators / kernels from the profile -------------------------------------------------
def top_operators(profile, *, chart_id: str = "chart-profile", limit: int = 10) -> str:
    """The profile's top kernels by device time where it has them, else the top operators by
    self CPU time: one bar each, with its share of the listed total."""
    if not isinstance(profile, dict):
        return ""
    kernels = profile.get("top_kernels_by_device_time")
    if isinstance(kernels, list) and kernels:
        rows, what, unit_key = kernels, "kernels by device time", "device_us"
    else:
        rows, what, unit_key = profile.get("top_ops_by_self_cpu"), "operators by self CPU time", "self_cpu_us"
    clean = []
    for row in (rows if isinstance(rows, list) else [])[:limit]:
        if isinstance(row, dict) and _num(row.get(unit_key)) is not None and _num(row.get(unit_key)) >= 0:
            count = row.get("count")
            clean.append((str(row.get("name", "?")), _num(row[unit_key]), count if isinstance(count, int) and not isinstance(count, bool) else None))
    if not clean:
        return ""
    total = sum(r[1] for r in clean) or 1.0
    top = 10
    height = top + len(clean) * ROW_H + 36
    scale = _Scale(0.0, max(r[1] for r in clean) * 1.25 or 1.0, LEFT + 60, WIDTH - RIGHT - 40)
    bottom = top + len(clean) * ROW_H
    body = _x_axis(scale, y=bottom, top=top, unit=" µs")
    described = []
    for index, (name, us, count) in enumerate(clean):
        y = top + index * ROW_H
        body.append(_text(LEFT + 52, y + ROW_H / 2 + 4, _short(name, 36), anchor="end", size=11))
        body.append(_rect(scale(0), y + 4, scale(us) - scale(0), ROW_H - 8, fill=CANDIDATE, opacity=0.85, label=name))
        calls = f", {count} call(s)" if count is not None else ""
        body.append(_text(scale(us) + 5, y + ROW_H / 2 + 4, f"{_fmt(us)} µs ({us / total:.0%})", fill=CANDIDATE, size=11))
        described.append(f"{name}: {_fmt(us)} µs{calls}")
    return _svg(chart_id=chart_id, height=height, title=f"Top {what} in the profiled calls", desc="; ".join(described), body=body)


# -- memory timeline -------------------------------------------------------------------------
def memory_timeline(line, *, peak_mb=None, chart_id: str = "chart-memory") -> str:
    """Memory above the call's start against time, with the budget (and the graded peak) marked."""
    if not isinstance(line, dict) or not isinstance(line.get("t_ms"), list) or not isinstance(line.get("mb"), list):
        return ""
    samples = [(t, m) for t, m in zip((_num(v) for v in line["t_ms"]), (_num(v) for v in line["mb"])) if t is not None and m is not None and t >= 0]
    if len(samples) < 2:
        return ""
    budget, peak = _pos(line.get("budget_mb")), _num(peak_mb)
    top, left, height = 20, 70, 220
    bottom = height - 40
    t_scale = _Scale(0.0, max(t for t, _ in samples) or 1.0, left, WIDTH - RIGHT)
    m_scale = _Scale(0.0, max([m for _, m in samples] + [budget or 0, peak or 0]) * 1.15 or 1.0, bottom, top)
    body = [_line(left, bottom, WIDTH - RIGHT, bottom), _line(left, top, left, bottom)]
    for tick in _ticks(m_scale.hi, 3):
        body += [_line(left, m_scale(tick), WIDTH - RIGHT, m_scale(tick), stroke="#e5e7eb"),
                 _text(left - 6, m_scale(tick) + 4, f"{_fmt(tick)} MiB", anchor="end", fill=MUTED, size=11)]
    for tick in _ticks(t_scale.hi, 4):
        body.append(_text(t_scale(tick), bottom + 14, f"{_fmt(tick)} ms", anchor="middle", fill=MUTED, size=11))
    path = " ".join(f"{t_scale(t):.1f},{m_scale(m):.1f}" for t, m in samples)
    body.append(f'<polyline points="{path}" fill="none" stroke="{CANDIDATE}" stroke-width="2"/>')
    if budget is not None:
        body += [_line(left, m_scale(budget), WIDTH - RIGHT, m_scale(budget), stroke=BASELINE, width=1.5, dash="5 3"),
                 _text(WIDTH - RIGHT, m_scale(budget) - 4, f"budget {_fmt(budget)} MiB", anchor="end", fill=BASELINE, size=11)]
    if peak is not None:
        body.append(_text(left + 4, top + 10, f"graded peak {_fmt(peak)} MiB", fill=CANDIDATE, size=11))
    body.append(_text((left + WIDTH - RIGHT) / 2, height - 8, "time since the call began", anchor="middle", fill=MUTED))
    sampled_peak = max(m for _, m in samples)
    desc = (f"{len(samples)} points over {_fmt(t_scale.hi)} ms; sampled maximum {_fmt(sampled_peak)} MiB above the start"
            + (f"; graded peak {_fmt(peak)} MiB" if peak is not None else "") + (f"; budget {_fmt(budget)} MiB" if budget is not None else ""))
    return _svg(chart_id=chart_id, height=height, title="Memory during the measured call", desc=desc, body=body)


def result_charts(*, metrics, tiers=None) -> dict[str, str]:
    """Every chart a result's metrics allow, by name (absent ones "")."""
    metrics = metrics if isinstance(metrics, dict) else {}
    return {
        "latency": latency_distribution(metrics.get("cases")),
        "speedup": speedup_tiers(metrics.get("cases"), tiers, overall=metrics.get("speedup")),
        "throughput": throughput_curve(metrics.get("throughput")),
        "profile": top_operators(metrics.get("profile")),
        "memory": memory_timeline(metrics.get("memory_timeline"), peak_mb=metrics.get("peak_memory_mb")),
    }
