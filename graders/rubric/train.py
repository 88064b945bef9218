"""Fit the two linear models from the training data only, and write them as JSON.

criterion_model: pooled over every criterion of the written rubrics; rows are the
train-split human answers (one row per answer and criterion) plus every rubric exemplar
scored with itself left out of the pool. reference_model: Mohler questions that are not
held out. Held-out answers and questions are never read here.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import classifier, datasets, features, reference, text
from .format import Rubric, load_rubric
from .scoring import evidence_matrix

EXEMPLAR_LEVEL = {"positive": 2, "partial": 1, "negative": 0}
C_GRID = (0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
TEMPERATURE_GRID = tuple(round(0.5 + 0.05 * i, 2) for i in range(51))  # 0.5 .. 3.0
REVIEW_BELOW = 0.6  # a criterion scored with less calibrated confidence sends the answer to review


def level_of(points: float, criterion_points: float) -> int:
    if criterion_points < 0:
        return 2 if points < 0 else 0
    return int(round(2 * points / criterion_points))


def criterion_rows(rubric: Rubric, answers: list[datasets.HumanScored]) -> tuple[list, list, list]:
    x, y, groups = [], [], []
    for row in answers:
        for criterion, evidence in zip(rubric.criteria, evidence_matrix(rubric, row.answer)):
            x.append(evidence.features)
            y.append(level_of(row.scores[criterion.id], criterion.points))
            groups.append(row.id)
    return x, y, groups


def exemplar_rows(rubric: Rubric, slug: str) -> tuple[list, list, list]:
    x, y, groups = [], [], []
    prepared = features.prepare(rubric)
    for item in prepared.criteria:
        for kind, exemplar in item.criterion.exemplars():
            segmented = features.segment_answer(prepared, exemplar)
            evidence = features.criterion_evidence(prepared, item, segmented, exclude=exemplar)
            x.append(evidence.features)
            y.append(EXEMPLAR_LEVEL[kind])
            groups.append(f"{slug}:{item.criterion.id}:{kind}:{len(x)}")
    return x, y, groups


def training_set(slugs=datasets.WRITTEN_SLUGS, *, extra: list[datasets.HumanScored] = ()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of every challenge's train split, its exemplars, and `extra` labels (reviewers' overrides)."""
    x, y, groups = [], [], []
    for slug in dict.fromkeys([*slugs, *(r.challenge for r in extra)]):
        rubric = load_rubric(datasets.rubric_path(slug))
        train = [r for r in datasets.load_human_set(slug) if r.split == "train"] if slug in slugs else []
        train += [r for r in extra if r.challenge == slug and r.split == "train"]
        for part in (criterion_rows(rubric, train), exemplar_rows(rubric, slug)):
            x += part[0]; y += part[1]; groups += part[2]
    return np.asarray(x), np.asarray(y), np.asarray(groups)


def fit_criterion_model(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> classifier.LinearModel:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    best_c, best_loss = C_GRID[0], math.inf
    for c in C_GRID:
        probabilities = cross_val_predict(LogisticRegression(C=c, max_iter=2000), z, y, groups=groups,
                                          cv=GroupKFold(n_splits=5), method="predict_proba")
        loss = -np.mean(np.log(probabilities[np.arange(len(y)), y] + 1e-9))
        if loss < best_loss:
            best_c, best_loss = c, loss
    fitted = LogisticRegression(C=best_c, max_iter=2000).fit(z, y)
    cv_logits = cross_val_predict(LogisticRegression(C=best_c, max_iter=2000), z, y, groups=groups,
                                  cv=GroupKFold(n_splits=5), method="decision_function")
    meta = {"C": best_c, "cv_log_loss": round(float(best_loss), 4), "rows": int(len(y)),
            "temperature": fit_temperature(cv_logits, y), "review_below": REVIEW_BELOW,
            "trained_on": "graders/rubric/data train split + rubric exemplars (leave-one-out)"}
    return classifier.LinearModel(features=features.FEATURE_NAMES, mean=mean, scale=scale, coef=fitted.coef_,
                                  intercept=fitted.intercept_, classes=tuple(float(c) for c in fitted.classes_),
                                  meta=meta)


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that makes cross-validated probabilities honest (least log loss):
    confidence is then calibrated on answers the model did not see."""
    def loss(t: float) -> float:
        scaled = logits / t
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_p = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return -float(np.mean(log_p[np.arange(len(y)), y]))
    return min(TEMPERATURE_GRID, key=loss)


def mohler_training_set(mohler_dir=None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Features, targets and question ids of the answers the model scores, and the targets of
    the explicit non-answers, which the rule scores 0 (kept for an honest cross-validation)."""
    rows = [r for r in datasets.load_mohler(mohler_dir) if not datasets.is_mohler_holdout(r.question_id)]
    modelled = [r for r in rows if not text.is_non_answer(r.answer)]
    x = np.asarray([reference.reference_features(question=r.question, reference=r.reference, answer=r.answer)
                    for r in modelled])
    y = np.asarray([r.score_avg / datasets.MOHLER_MAX for r in modelled])
    ruled = np.asarray([r.score_avg / datasets.MOHLER_MAX for r in rows if text.is_non_answer(r.answer)])
    return x, y, np.asarray([r.question_id for r in modelled]), ruled


def fit_reference_model(x: np.ndarray, y: np.ndarray, groups: np.ndarray,
                        ruled: np.ndarray | None = None) -> classifier.LinearModel:
    """The mean of one ridge regression per view (`reference.VIEWS`) on standardised features,
    each view's alpha by grouped cross-validation over questions, judged like the scorer:
    predictions clipped to 0..1, non-answers (`ruled`) at 0. Averaging two views that read
    the answer differently beat either alone on held-out questions of the training set
    (docs/rubric.md); the mean of linear models is one linear model, stored as such."""
    from sklearn.linear_model import Ridge

    ruled = np.zeros(0) if ruled is None else ruled
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    coef, intercept, cv_predictions, alphas = np.zeros(len(reference.FEATURE_NAMES)), 0.0, [], {}
    for view, names in reference.VIEWS.items():
        columns = [reference.FEATURE_NAMES.index(n) for n in names]
        alpha, predicted = _ridge_alpha_by_grouped_cv(z[:, columns], y, groups, ruled)
        fitted = Ridge(alpha=alpha).fit(z[:, columns], y)
        coef[columns] += fitted.coef_ / len(reference.VIEWS)
        intercept += float(fitted.intercept_) / len(reference.VIEWS)
        cv_predictions.append(predicted)
        alphas[view] = alpha
    cv_r = _scored_pearson(np.mean(cv_predictions, axis=0), y, ruled)
    residual_sd = float(np.std(z @ coef + intercept - y))
    meta = {"alpha": alphas, "views": {v: list(n) for v, n in reference.VIEWS.items()},
            "cv_pearson_train_questions": round(cv_r, 4), "rows": int(len(y)),
            "non_answers_scored_zero": int(len(ruled)), "residual_sd": round(residual_sd, 4), "review_below": 0.6,
            "trained_on": "Mohler questions not held out (datasets.is_mohler_holdout)"}
    return classifier.LinearModel(features=reference.FEATURE_NAMES, mean=mean, scale=scale,
                                  coef=np.atleast_2d(coef), intercept=np.atleast_1d(intercept), classes=(), meta=meta)


REFERENCE_ALPHAS = (1.0, 3.0, 10.0, 30.0, 100.0, 300.0)


def _ridge_alpha_by_grouped_cv(z: np.ndarray, y: np.ndarray, groups: np.ndarray,
                               ruled: np.ndarray) -> tuple[float, np.ndarray]:
    """The alpha whose grouped 5-fold predictions correlate best, and those predictions."""
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import GroupKFold, cross_val_predict

    best = None
    for alpha in REFERENCE_ALPHAS:
        predicted = cross_val_predict(Ridge(alpha=alpha), z, y, groups=groups, cv=GroupKFold(n_splits=5))
        r = _scored_pearson(predicted, y, ruled)
        if best is None or r > best[1]:
            best = (alpha, r, predicted)
    return best[0], best[2]


def _scored_pearson(predicted: np.ndarray, y: np.ndarray, ruled: np.ndarray) -> float:
    """Pearson as the scorer would be judged: clipped to 0..1, the non-answers at 0."""
    scored = np.concatenate([np.clip(predicted, 0.0, 1.0), np.zeros(len(ruled))])
    return float(np.corrcoef(scored, np.concatenate([y, ruled]))[0, 1])


def write_model(model: classifier.LinearModel, name: str, directory: Path = classifier.MODELS_DIR) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.json"
    path.write_text(model.to_json() + "\n", encoding="utf-8")
    classifier.load_model.cache_clear()
    return path


def train_all(*, mohler_dir=None, models=("criterion", "reference"), extra_labels: list[Path] = (), out=print) -> None:
    if "criterion" in models:
        extra = [row for path in extra_labels for row in datasets.load_labels(Path(path))]
        model = fit_criterion_model(*training_set(extra=extra))
        model.meta["extra_labels"] = len(extra)
        out(f"criterion_model: {model.meta}  -> {write_model(model, 'criterion_model')}")
    if "reference" not in models:
        return
    if datasets.mohler_available(mohler_dir):
        model = fit_reference_model(*mohler_training_set(mohler_dir))
        out(f"reference_model: {model.meta}  -> {write_model(model, 'reference_model')}")
    else:
        out(f"reference_model: skipped, no Mohler data under {datasets.mohler_dir(mohler_dir)}")
