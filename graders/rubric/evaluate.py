"""Agreement of the grader with human scores: our written sets and Mohler (reference mode)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import datasets, metrics
from .format import load_rubric
from .reference import score_against_reference
from .scoring import score_answer


@dataclass(frozen=True)
class Evaluation:
    name: str
    split: str
    figures: dict[str, float]
    rows: list[tuple[str, float, float]]  # (id, human, grader)
    human_human: dict[str, float] | None = None
    human_human_label: str = "human-human on the same answers (score_me vs score_other)"


def evaluate_written(slug: str, *, split: str = "holdout") -> Evaluation:
    """Grader against our rater; beside it, where a second rater scored the same answers
    blind, our rater against the second (`human_human`, on the answers both scored)."""
    rubric = load_rubric(datasets.rubric_path(slug))
    second = datasets.load_second_rater(slug)
    rows, pairs = [], []
    for item in datasets.load_human_set(slug):
        if split in ("all", item.split):
            grader = score_answer(rubric=rubric, answer=item.answer).score
            rows.append((item.id, item.total(rubric.max_points), grader))
            if item.id in second:
                pairs.append((item.id, item.total(rubric.max_points), datasets.clamped_total(second[item.id], rubric.max_points)))
    human_human = figures_of(pairs, step=1.0) if len(pairs) >= 2 else None
    label = f"human-human, our rater vs a blind second rater on {len(pairs)} of these answers"
    return Evaluation(slug, split, figures_of(rows, step=1.0), rows, human_human, label)


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
    if evaluation.human_human:
        h = evaluation.human_human
        line += (f"\n{'':<18} {evaluation.human_human_label}: "
                 f"QWK={h['qwk']:.3f} Pearson={h['pearson']:.3f} exact={h['exact']:.2f} adjacent(±1)={h['adjacent']:.2f}")
    return line
