"""Compare reference-mode models on held-out questions of the training questions (for tuning).

The Mohler held-out third is 16 questions: a bootstrap over them puts a model's pooled
Pearson within about ±0.09, so it cannot tell a change of a few hundredths from luck. This
script draws many splits of the *training* questions instead (--test questions scored,
the rest fitted; the held-out questions are never read) and fits, per split, one ridge per
view (`reference.VIEWS`, at the shipped model's alphas) and their mean, the shipped model.
For each it prints the pooled Pearson over splits (mean and spread) and, against the
`alone` view (the model before the in-context view), the mean paired difference, its
spread and how often it is worse. Explicit non-answers are left out: a rule scores them 0.

    .venv/bin/python scripts/cv_reference.py [--splits 300] [--test 12] [--seed 7]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graders.rubric import classifier, datasets, reference, train  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=300)
    parser.add_argument("--test", type=int, default=12, help="training questions scored per split (default 12)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mohler-dir", default=None)
    args = parser.parse_args()
    if not datasets.mohler_available(args.mohler_dir):
        print(f"no Mohler data under {datasets.mohler_dir(args.mohler_dir)}", file=sys.stderr)
        return 2
    started = time.monotonic()
    x, y, groups, _ = train.mohler_training_set(args.mohler_dir)  # non-answers are left out of x
    questions = sorted(set(groups))
    if not 1 <= args.test < len(questions):
        print(f"--test must be between 1 and {len(questions) - 1}", file=sys.stderr)
        return 2
    alphas = classifier.load_model(reference.REFERENCE_MODEL).meta["alpha"]
    print(f"features of {len(y)} answers to {len(questions)} training questions in {time.monotonic() - started:.0f} s; "
          f"alphas {alphas}")
    figures = split_figures(x, y, groups, alphas=alphas, splits=args.splits, test=args.test, seed=args.seed)
    baseline = figures["alone"]
    print(f"{args.splits} splits, {args.test} questions scored in each (pooled Pearson over the split's answers):")
    for name, values in figures.items():
        difference = values - baseline
        print(f"  {name:12s} mean {values.mean():.4f} sd {values.std():.4f}   vs alone: "
              f"{difference.mean():+.4f} sd {difference.std():.4f}, worse in {np.mean(difference < 0):.0%}")
    return 0


def split_figures(x: np.ndarray, y: np.ndarray, groups: np.ndarray, *, alphas: dict, splits: int, test: int,
                  seed: int) -> dict[str, np.ndarray]:
    from sklearn.linear_model import Ridge

    rng = np.random.default_rng(seed)
    questions = np.asarray(sorted(set(groups)))
    columns = {view: [reference.FEATURE_NAMES.index(n) for n in names] for view, names in reference.VIEWS.items()}
    results: dict[str, list[float]] = {view: [] for view in columns} | {"mean": []}
    for _ in range(splits):
        scored = np.isin(groups, rng.permutation(questions)[:test])
        mean, scale = x[~scored].mean(axis=0), x[~scored].std(axis=0) + 1e-6
        z = (x - mean) / scale
        predictions = {}
        for view, cols in columns.items():
            fitted = Ridge(alpha=alphas[view]).fit(z[~scored][:, cols], y[~scored])
            predictions[view] = fitted.predict(z[scored][:, cols])
        predictions["mean"] = np.mean([predictions[v] for v in columns], axis=0)
        for name, predicted in predictions.items():
            results[name].append(float(np.corrcoef(np.clip(predicted, 0.0, 1.0), y[scored])[0, 1]))
    return {name: np.asarray(values) for name, values in results.items()}


if __name__ == "__main__":
    raise SystemExit(main())
