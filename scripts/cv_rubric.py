"""Cross-validate the written-answer grader on the train split only (for tuning).

Folds of the train answers of both written sets (every K-th answer per set); for each fold
the criterion model is refitted without that fold's answers (exemplars always included)
and the fold's answers are scored with it. Prints QWK, Pearson, exact and adjacent
agreement per set, the share the fold's model sends to review with agreement on the rest,
per criterion how many answers it scores differently from the rater (and the net points),
and the answers the grader misses by 1.5 points or more. Held-out
answers are never read.

    .venv/bin/python scripts/cv_rubric.py [--folds 4]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.rubric import datasets, load_rubric, train  # noqa: E402
from graders.rubric.evaluate import figures_of, review_figures  # noqa: E402
from graders.rubric.scoring import score_with_rubric  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=4, help="folds per set (default 4)")
    args = parser.parse_args()
    if args.folds < 2:
        parser.error("--folds must be at least 2")
    rubrics = {slug: load_rubric(datasets.rubric_path(slug)) for slug in datasets.WRITTEN_SLUGS}
    answers = {slug: [r for r in datasets.load_human_set(slug) if r.split == "train"] for slug in rubrics}
    rows_of = {r.id: train.criterion_rows(rubrics[slug], [r])[:2] for slug in rubrics for r in answers[slug]}
    exemplars = [train.exemplar_rows(rubric, slug) for slug, rubric in rubrics.items()]
    scored: dict[str, list[tuple[str, float, float]]] = {slug: [] for slug in rubrics}
    reviewed: dict[str, list[bool]] = {slug: [] for slug in rubrics}
    # per criterion: answers where the grader's points differ from the rater's, and the net difference
    errors: dict[str, dict[str, list[float]]] = {slug: {c.id: [] for c in rubric.criteria} for slug, rubric in rubrics.items()}
    for fold in range(args.folds):
        held = {r.id for slug in answers for i, r in enumerate(answers[slug]) if i % args.folds == fold}
        x = [v for e in exemplars for v in e[0]]
        y = [v for e in exemplars for v in e[1]]
        groups = [v for e in exemplars for v in e[2]]
        for answer_id, (features, levels) in rows_of.items():
            if answer_id not in held:
                x += features; y += levels; groups += [answer_id] * len(levels)
        model = train.fit_criterion_model(np.asarray(x), np.asarray(y), np.asarray(groups))
        for slug, rubric in rubrics.items():
            for row in answers[slug]:
                if row.id in held:
                    result = score_with_rubric(rubric, row.answer, model=model)
                    scored[slug].append((row.id, row.total(rubric.max_points), result.score))
                    reviewed[slug].append(result.needs_review)
                    for criterion in result.criteria:
                        if criterion.points != row.scores[criterion.id]:
                            errors[slug][criterion.id].append(criterion.points - row.scores[criterion.id])
    print(f"method: {args.folds}-fold cross-validation over the train split's answers; criterion model refitted per fold")
    for slug, rows in scored.items():
        f = figures_of(rows, step=1.0)
        print(f"{slug:<18} n={f['n']:<3} QWK={f['qwk']:.3f} Pearson={f['pearson']:.3f} exact={f['exact']:.2f} "
              f"adjacent(±1)={f['adjacent']:.2f} MAE={f['mean_abs_error']:.2f}")
        r = review_figures(rows, reviewed[slug])
        print(f"{'':<18} review: {r['review_share']:.0%} sent to review; decided automatically n={r['auto_n']}: "
              f"QWK={r.get('auto_qwk', float('nan')):.3f} adjacent(±1)={r.get('auto_adjacent', float('nan')):.2f}")
        wrong = [f"{c} {len(d)} ({sum(d):+g})" for c, d in errors[slug].items() if d]
        print(f"{'':<18} criteria scored differently (answers, net points grader - rater): {', '.join(wrong) or 'none'}")
        misses = [f"{i} (human {h:g}, grader {g:g})" for i, h, g in sorted(rows) if abs(h - g) >= 1.5]
        print(f"{'':<18} missed by >= 1.5: {', '.join(misses) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
