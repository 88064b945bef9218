"""Reference-answer mode: one criterion, scored by closeness to a model answer.

Features combine meaning (sentence embeddings of the whole answer and of its sentences
against the reference) with word overlap on content words, where words that merely
repeat the question are demoted: copying the question earns nothing. A linear model fitted
on the Mohler questions that are not held out maps them to a share of the maximum.
"""

from __future__ import annotations

import math

import numpy as np

from . import classifier, embedding, text
from .scoring import CriterionScore, RubricScore

REFERENCE_MODEL = "reference_model"
FEATURE_NAMES = ("answer_similarity", "reference_coverage", "content_recall", "content_precision",
                 "log_words", "question_similarity")
CRITERION_ID = "reference"
MAX_SEGMENTS = 12


def reference_features(*, question: str, reference: str, answer: str) -> np.ndarray:
    return _analyse(question, reference, answer)[0]


def _analyse(question: str, reference: str, answer: str) -> tuple[np.ndarray, str]:
    """The features, and the answer segment closest to the reference (the evidence)."""
    answer_segments = text.split_segments(answer)[:MAX_SEGMENTS] or [answer[:2000]]
    reference_segments = text.split_segments(reference)[:MAX_SEGMENTS] or [reference]
    fixed = embedding.encode_fixed([question, reference, *reference_segments])
    question_vector, reference_vector, reference_vectors = fixed[0], fixed[1], fixed[2:]
    vectors = embedding.encode([answer[:2000], *answer_segments])
    whole, parts = vectors[0], vectors[1:]
    question_stems = text.content_stems(question)
    reference_stems = text.content_stems(reference) - question_stems
    answer_stems = text.content_stems(answer) - question_stems
    shared = len(reference_stems & answer_stems)
    evidence = answer_segments[int(np.argmax(parts @ reference_vector))]
    values = np.asarray([
        float(whole @ reference_vector),
        float((reference_vectors @ parts.T).max(axis=1).mean()),
        shared / len(reference_stems) if reference_stems else 0.0,
        shared / len(answer_stems) if answer_stems else 0.0,
        math.log1p(len(text.words(answer))),
        float(whole @ question_vector),
    ], dtype=np.float32)
    return values, evidence


def predicted_share(features: np.ndarray, model: classifier.LinearModel) -> float:
    return float(np.clip(model.decision(features)[0, 0], 0.0, 1.0))


def score_against_reference(*, question: str, reference: str, max_points: float, answer: str) -> RubricScore:
    """Score an answer by its closeness to one reference answer, on a 0..max_points scale."""
    if max_points <= 0:
        raise ValueError("max_points must be positive")
    model = classifier.load_model(REFERENCE_MODEL)
    if not text.words(answer):
        criterion = CriterionScore(CRITERION_ID, 0.0, max_points, 1.0, None, 0.0)
        return RubricScore(0.0, max_points, False, (criterion,), ("empty",))
    features, closest = _analyse(question, reference, answer)
    share = predicted_share(features, model)
    confidence = _confidence(share, model)
    points = round(share * max_points, 2)
    evidence = closest if share > 0 else None
    criterion = CriterionScore(CRITERION_ID, points, max_points, confidence, evidence, share)
    review_below = float(model.meta.get("review_below", 0.5))
    return RubricScore(points, max_points, confidence < review_below, (criterion,))


def _confidence(share: float, model: classifier.LinearModel) -> float:
    """Residuals are largest mid-scale; confidence falls with the fitted residual spread there."""
    spread = float(model.meta.get("residual_sd", 0.2))
    distance_to_edge = min(share, 1.0 - share)
    return float(np.clip(1.0 - spread * (1.0 + 2.0 * distance_to_edge), 0.0, 1.0))
