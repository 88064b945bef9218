"""Agreement of the grader with human scores: our written sets and Mohler (reference mode)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import datasets, metrics
from .format import load_rubric
from .reference import score_against_reference
from .scoring import score_answer

EVIDENCE_OVERLAP = 0.5  # a cited passage "overlaps" the labelled one when they share half the shorter
RELIABILITY_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0)


@dataclass(frozen=True)
class Evaluation:
    name: str
    split: str
    figures: dict[str, float]
    rows: list[tuple[str, float, float]]  # (id, human, grader)
    human_human: dict[str, float] | None = None
    human_human_label: str = "human-human on the same answers (score_me vs score_other)"
    reviewed: tuple[bool, ...] = ()  # per row: needs_review
    confidences: tuple[tuple[float, bool], ...] = ()  # per criterion scored: (confidence, level right)
    evidence: tuple[int, int] = (0, 0)  # cited spans overlapping the labelled one, of those compared


def evaluate_written(slug: str, *, split: str = "holdout") -> Evaluation:
    """Grader against our rater; beside it, where a second rater scored the same answers
    blind, our rater against the second (`human_human`, on the answers both scored)."""
    rubric = load_rubric(datasets.rubric_path(slug))
    second = datasets.load_second_rater(slug)
    rows, pairs, reviewed, confidences, evidence = [], [], [], [], [0, 0]
    for item in datasets.load_human_set(slug):
        if split in ("all", item.split):
            result = score_answer(rubric=rubric, answer=item.answer)
            rows.append((item.id, item.total(rubric.max_points), result.score))
            reviewed.append(result.needs_review)
            confidences += [(c.confidence, c.points == item.scores[c.id]) for c in result.criteria]
            hits, compared = evidence_hits(item, result)
            evidence[0] += hits; evidence[1] += compared
            if item.id in second:
                pairs.append((item.id, item.total(rubric.max_points), datasets.clamped_total(second[item.id], rubric.max_points)))
    human_human = figures_of(pairs, step=1.0) if len(pairs) >= 2 else None
    label = f"human-human, our rater vs a blind second rater on {len(pairs)} of these answers"
    figures = {**figures_of(rows, step=1.0), **review_figures(rows, reviewed)}
    return Evaluation(slug, split, figures, rows, human_human, label, tuple(reviewed), tuple(confidences), tuple(evidence))


def span_overlap(answer: str, cited: str, labelled: str) -> float:
    """Shared characters of the cited and the labelled passage, over the shorter one's length."""
    start, label_start = answer.find(cited), answer.find(labelled)
    if start < 0 or label_start < 0:
        return 0.0
    shared = min(start + len(cited), label_start + len(labelled)) - max(start, label_start)
    return max(shared, 0) / max(min(len(cited), len(labelled)), 1)


def evidence_hits(item: datasets.HumanScored, result) -> tuple[int, int]:
    """(criteria whose cited evidence overlaps the labelled span by half or more, criteria
    compared): those both the grader and the rater credited, where the rater labelled a span."""
    compared = [c for c in result.criteria if c.points > 0 and c.evidence and c.id in item.spans]
    hits = sum(span_overlap(item.answer, c.evidence, item.spans[c.id]) >= EVIDENCE_OVERLAP for c in compared)
    return hits, len(compared)


def review_figures(rows: list[tuple[str, float, float]], reviewed: list[bool]) -> dict[str, float]:
    """The share sent to review, and agreement on the answers decided automatically."""
    decided = [row for row, review in zip(rows, reviewed) if not review]
    figures = {"review_share": sum(reviewed) / len(rows) if rows else 0.0, "auto_n": len(decided)}
    if decided:
        auto = figures_of(decided, step=1.0)
        figures.update(auto_qwk=auto["qwk"], auto_adjacent=auto["adjacent"], auto_exact=auto["exact"])
    return figures


def reliability_table(confidences: list[tuple[float, bool]], *, edges=RELIABILITY_EDGES) -> list[tuple[str, int, float, float]]:
    """(confidence bin, criteria in it, their mean confidence, share scored at the rater's level)."""
    table = []
    for low, high in zip(edges, edges[1:]):
        inside = [(c, right) for c, right in confidences if low <= c < high or (high == edges[-1] and c == high)]
        if inside:
            table.append((f"{low:.2f}-{high:.2f}", len(inside), float(np.mean([c for c, _ in inside])),
                          float(np.mean([right for _, right in inside]))))
    return table


def evaluate_mohler(*, split: str = "holdout", mohler_dir=None) -> Evaluation:
    answers = [a for a in datasets.load_mohler(mohler_dir)
               if split == "all" or datasets.is_mohler_holdout(a.question_id) == (split == "holdout")]
    rows = [(a.question_id, a.score_avg,
             score_against_reference(question=a.question, reference=a.reference,
                                     max_points=datasets.MOHLER_MAX, answer=a.answer).score) for a in answers]
    human_human = metrics.summary([a.score_me for a in answers], [a.score_other for a in answers], step=1.0)
    return Evaluation("asag-mohler", split, figures_of(rows, step=1.0), rows, human_human)


def figures_of(rows: list[tuple[str, float, float]], *, step: float) -> dict[str, float]:
    if not rows:
        return {"n": 0}
    human = [r[1] for r in rows]
    grader = [r[2] for r in rows]
    figures = metrics.summary(grader, human, step=step)
    figures["mean_abs_error"] = float(np.mean(np.abs(np.subtract(grader, human))))
    return figures


def format_evaluation(evaluation: Evaluation) -> str:
    f = evaluation.figures
    line = (f"{evaluation.name:<18} split={evaluation.split:<8} n={f['n']:<4} QWK={f.get('qwk', float('nan')):.3f} "
            f"Pearson={f.get('pearson', float('nan')):.3f} exact={f.get('exact', float('nan')):.2f} "
            f"adjacent(±1)={f.get('adjacent', float('nan')):.2f} MAE={f.get('mean_abs_error', float('nan')):.2f}")
    if "review_share" in f:
        line += (f"\n{'':<18} review: {f['review_share']:.0%} sent to review; decided automatically n={f['auto_n']}: "
                 f"QWK={f.get('auto_qwk', float('nan')):.3f} exact={f.get('auto_exact', float('nan')):.2f} "
                 f"adjacent(±1)={f.get('auto_adjacent', float('nan')):.2f}")
    if evaluation.evidence[1]:
        hits, compared = evaluation.evidence
        line += (f"\n{'':<18} evidence: {hits} of {compared} cited spans overlap the labelled span "
                 f"({hits / compared:.0%})")
    if evaluation.human_human:
        h = evaluation.human_human
        line += (f"\n{'':<18} {evaluation.human_human_label}: "
                 f"QWK={h['qwk']:.3f} Pearson={h['pearson']:.3f} exact={h['exact']:.2f} adjacent(±1)={h['adjacent']:.2f}")
    return line


def format_reliability(confidences: list[tuple[float, bool]]) -> str:
    lines = ["reliability of criterion confidence (level right = the rater's points):",
             f"  {'confidence':<11} {'n':>4} {'mean conf':>9} {'level right':>11}"]
    for label, n, mean, right in reliability_table(confidences):
        lines.append(f"  {label:<11} {n:>4} {mean:>9.2f} {right:>11.2f}")
    return "\n".join(lines)
