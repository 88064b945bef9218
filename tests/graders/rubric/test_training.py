"""The shipped models are reproducible from the training data, and reviewers' labels feed training."""
from __future__ import annotations

import json

import numpy as np
import pytest

from graders.rubric import classifier, datasets, train
from graders.rubric.format import load_rubric


def test_exported_review_labels_become_training_rows_at_their_levels(tmp_path):
    path = tmp_path / "reviews.jsonl"
    path.write_text(json.dumps({
        "id": "review-7", "challenge": "batch-scaling", "split": "train", "rater": "reviewer",
        "answer": "Count the kernel launches per step in a trace; CUDA graphs remove the overhead.",
        "scores": {"h2d_transfer": 0, "launch_overhead": 3, "non_parallel_op": 0, "hw_saturation": 0.5,
                   "method": 0, "memory_or_buy_hardware": -1},
    }) + "\n")
    labels = datasets.load_labels(path)
    rubric = load_rubric(datasets.rubric_path("batch-scaling"))
    x, y, groups = train.criterion_rows(rubric, labels)
    assert len(x) == len(rubric.criteria) and set(groups) == {"review-7"}
    assert dict(zip([c.id for c in rubric.criteria], y)) == {
        "h2d_transfer": 0, "launch_overhead": 2, "non_parallel_op": 0, "hw_saturation": 1, "method": 0,
        "memory_or_buy_hardware": 2}


def test_the_second_raters_scores_load_per_challenge_and_bad_lines_are_refused(tmp_path):
    path = tmp_path / datasets.SECOND_RATER_FILE
    path.write_text(json.dumps({"id": "bs-01", "challenge": "batch-scaling", "rater": "second",
                                "scores": {"h2d_transfer": 1.5}}) + "\n"
                    + json.dumps({"id": "dr-01", "challenge": "debug-regression", "rater": "second",
                                  "scores": {"baseline": 2}}) + "\n")
    assert datasets.load_second_rater("batch-scaling", directory=tmp_path) == {"bs-01": {"h2d_transfer": 1.5}}
    assert datasets.load_second_rater("batch-scaling", directory=tmp_path / "absent") == {}
    path.write_text(json.dumps({"id": "bs-02", "challenge": "batch-scaling", "scores": [1, 2]}) + "\n")
    with pytest.raises(ValueError, match=":1: scores must be an object"):
        datasets.load_second_rater("batch-scaling", directory=tmp_path)


def test_the_shipped_second_rating_covers_every_original_answer_and_criterion():
    for slug in datasets.WRITTEN_SLUGS:
        rubric = load_rubric(datasets.rubric_path(slug))
        second = datasets.load_second_rater(slug)
        originals = [r for r in datasets.load_human_set(slug) if int(r.id.split("-")[1]) <= 36]
        assert {r.id for r in originals} <= set(second)
        assert all(set(scores) == {c.id for c in rubric.criteria} for scores in second.values())


def test_holdout_answers_never_reach_the_training_rows(monkeypatch):
    seen = []
    monkeypatch.setattr(train, "criterion_rows", lambda rubric, answers: (seen.extend(answers), ([], [], []))[1])
    monkeypatch.setattr(train, "exemplar_rows", lambda rubric, slug: ([], [], []))
    train.training_set()
    assert seen and all(row.split == "train" for row in seen)


@pytest.mark.slow
def test_the_shipped_criterion_model_is_what_training_produces():
    refitted = train.fit_criterion_model(*train.training_set())
    shipped = classifier.load_model("criterion_model")
    assert refitted.meta["C"] == shipped.meta["C"]
    assert np.allclose(refitted.coef, shipped.coef, atol=1e-3)


def test_the_reference_model_is_the_mean_of_one_ridge_per_view():
    from sklearn.linear_model import Ridge

    from graders.rubric import reference

    rng = np.random.default_rng(3)
    x = rng.normal(size=(120, len(reference.FEATURE_NAMES)))
    y = np.clip(0.6 + 0.1 * x[:, 0] + 0.1 * x[:, -1] + 0.05 * rng.normal(size=120), 0, 1)
    groups = np.repeat(np.arange(12), 10)
    model = train.fit_reference_model(x, y, groups)
    z = (x - model.mean) / model.scale
    expected = np.zeros(len(x))
    for view, names in reference.VIEWS.items():
        columns = [reference.FEATURE_NAMES.index(n) for n in names]
        expected += Ridge(alpha=model.meta["alpha"][view]).fit(z[:, columns], y).predict(z[:, columns]) / 2
    assert np.allclose(model.decision(x)[:, 0], expected, atol=1e-9)
    assert set(model.meta["alpha"]) == set(reference.VIEWS) and model.features == reference.FEATURE_NAMES


def test_every_reference_view_names_known_features_and_together_they_cover_all():
    from graders.rubric import reference

    named = [n for names in reference.VIEWS.values() for n in names]
    assert set(named) == set(reference.FEATURE_NAMES)
    assert all(len(set(names)) == len(names) for names in reference.VIEWS.values())


@pytest.mark.slow
@pytest.mark.skipif(not datasets.mohler_available(), reason="Mohler data absent")
def test_the_shipped_reference_model_is_what_training_produces():
    refitted = train.fit_reference_model(*train.mohler_training_set())
    shipped = classifier.load_model("reference_model")
    assert refitted.meta["alpha"] == shipped.meta["alpha"]
    assert np.allclose(refitted.coef, shipped.coef, atol=1e-3)
