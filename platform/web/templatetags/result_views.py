"""What the result page draws: `{% result_charts submission result as charts %}` gives the SVG
charts its metrics allow (web.charts), `{% highlight_evidence answer evidence %}` marks the
sentence of a written answer that earned a rubric criterion."""
from __future__ import annotations

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from web.charts import result_charts as charts_for

register = template.Library()


def speedup_tiers_of(*, spec, device: str, device_class: str | None) -> list[float]:
    """The speedup tiers the version's spec sets for this device (a class's own, else the kind's)."""
    table = ((spec or {}).get("devices") or {}).get(device) if isinstance(spec, dict) else None
    if not isinstance(table, dict):
        return []
    own = table.get(device_class) if device_class and device_class != device else None
    targets = (own.get("targets") if isinstance(own, dict) and isinstance(own.get("targets"), dict) else None) or table.get("targets")
    tiers = targets.get("speedup") if isinstance(targets, dict) else None
    return [float(t) for t in tiers if isinstance(t, (int, float)) and not isinstance(t, bool)] if isinstance(tiers, list) else []


@register.simple_tag
def result_charts(submission, result) -> dict:
    if result is None:
        return {}
    version = submission.challenge_version
    tiers = speedup_tiers_of(spec=version.spec, device=submission.device, device_class=submission.device_class)
    return charts_for(metrics=result.metrics, tiers=tiers)


def evidence_spans(answer: str, criteria) -> list[tuple[int, int, str]]:
    """(start, end, criterion id) of each credited criterion's evidence sentence found in the
    answer, first occurrence, left to right, overlaps dropped (two criteria may share one)."""
    spans = []
    for criterion in criteria if isinstance(criteria, list) else []:
        if not isinstance(criterion, dict):
            continue
        evidence = criterion.get("evidence")
        points = criterion.get("points")
        if not isinstance(evidence, str) or not evidence.strip() or not isinstance(points, (int, float)) or points <= 0:
            continue
        start = answer.find(evidence.strip())
        if start >= 0:
            spans.append((start, start + len(evidence.strip()), str(criterion.get("id", ""))))
    kept, end = [], -1
    for span in sorted(spans):
        if span[0] >= end:
            kept.append(span)
            end = span[1]
    return kept


@register.simple_tag
def written_answer(submission, result) -> dict:
    """The answer (entry file, else the first) with the sentences that earned points marked,
    and its word count."""
    files = submission.files if isinstance(submission.files, dict) else {}
    answer = files.get(submission.challenge_version.entry_file) or next(iter(files.values()), "")
    answer = answer if isinstance(answer, str) else ""
    rubric = (result.metrics or {}).get("rubric") if result is not None else None
    criteria = rubric.get("criteria") if isinstance(rubric, dict) else None
    parts, at = [], 0
    for start, end, criterion in evidence_spans(answer, criteria):
        parts.append(escape(answer[at:start]))
        parts.append(f'<mark class="evidence" data-criterion="{escape(criterion)}" id="evidence-{escape(criterion)}">{escape(answer[start:end])}</mark>')
        at = end
    parts.append(escape(answer[at:]))
    return {"html": mark_safe("".join(parts)), "words": len(answer.split())}  # noqa: S308 - every part escaped


@register.simple_tag
def live_progress(submission) -> dict:
    """The progress as the page first shows it (the script then polls) and the stages this
    challenge's grading passes, in order, with their titles."""
    from graders import progress as events
    from graders.registry import RegistryError, in_stage_order
    from submissions.progress import progress_for

    names = (submission.challenge_version.spec or {}).get("graders") or []
    try:
        kinds = in_stage_order([n for n in names if isinstance(n, str)])
    except RegistryError:
        kinds = []
    stages = ["queued"] + [k.name for k in kinds if k.stage != "sandbox"]
    sandboxed = [k.handler for k in kinds if k.stage == "sandbox"]
    if sandboxed:
        stages += ["starting", *sandboxed]
    stages.append("result")
    return {"now": progress_for(submission=submission),
            "stages": [{"stage": s, "title": events.TITLES.get(s, s)} for s in dict.fromkeys(stages) if s in events.STAGES]}
