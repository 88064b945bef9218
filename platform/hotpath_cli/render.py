"""Plain-text tables for people; `--json` prints the API's JSON instead."""
from __future__ import annotations

import json
import sys


def emit_json(data) -> None:
    print(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))


def table(rows: list[list], headers: list[str]) -> str:
    """Left-aligned columns, two spaces apart; None shows as '-'."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip()]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return _printable(str(value))


def _printable(text: str) -> str:
    """Nothing from the site reaches the terminal as a control sequence."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def speedup(value, ci=None) -> str:
    if value is None:
        return "-"
    text = f"{value:.3g}x"
    if isinstance(ci, (list, tuple)) and len(ci) == 2 and None not in ci:
        text += f" (95% CI {ci[0]:.3g}-{ci[1]:.3g})"
    return text


def when(stamp: str | None) -> str:
    return stamp[:16].replace("T", " ") if stamp else "-"


def result_table(submission: dict) -> str:
    """The submission's header line, its verdict block and its checks."""
    head = f"submission {submission['id']}  {submission['challenge']} v{submission['version']}  {submission['device_class']}  {submission['status']}"
    result = submission.get("result")
    if submission["status"] == "failed":
        return f"{head}\nplatform error: {_printable(submission.get('error') or 'the platform could not grade it')} (not counted against you)"
    if not result:
        return f"{head}\nstage: {submission.get('stage', submission['status'])}"
    metrics = result.get("metrics") or {}
    latency = metrics.get("latency_ms")
    verdict = "awaiting review" if result.get("awaiting_review") else result["verdict"]
    rows = [["verdict", verdict], ["score", result["score"]], ["speedup", speedup(metrics.get("speedup"), metrics.get("speedup_ci"))]]
    if isinstance(latency, dict) and latency.get("n"):
        rows.append(["latency", f"{latency['median']:.4g} ms median (p10 {latency['p10']:.4g}, p90 {latency['p90']:.4g}, n={latency['n']})"])
    if metrics.get("tier") is not None:
        rows.append(["tier", metrics["tier"]])
    rows += [["message", result.get("message") or ""], ["flags", ", ".join(result.get("flags") or []) or "-"]]
    lines = [head, table(rows, ["", ""]).split("\n", 1)[1]]
    checks = result.get("checks") or []
    if checks:
        lines += ["", table([[c.get("status"), c.get("name"), c.get("detail")] for c in checks], ["check", "name", "detail"])]
    return "\n".join(lines)


def progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
