"""Reference-answer mode: one criterion, scored by closeness to a model answer.

Features combine meaning with overlap of content words, in two views of the answer. Alone:
sentence embeddings of the answer and the reference, and a BERTScore-style soft match of
their contextual token embeddings, from the last layer and from the one below it. In
context: the answer and the reference each read after the question, in one sequence, so a
token means what it means as an answer to that question. Words and tokens that merely
repeat the question are demoted, so copying the question earns less than answering it,
though not nothing: this mode has none of rubric mode's defences against gaming
(docs/rubric.md, Limitations). Each view's ridge regression is fitted on the Mohler
questions that are not held out; the model is their mean, mapping the features to a share
of the maximum. An explicit non-answer ("not
answered", "I don't know") earns nothing without consulting the model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import classifier, embedding, text
from .scoring import CriterionScore, RubricScore

REFERENCE_MODEL = "reference_model"
ALONE_FEATURES = (
    "answer_similarity", "content_recall", "content_precision", "log_words", "question_similarity",
    "demoted_similarity", "log_length_ratio", "content_jaccard", "answer_similarity_sq",
    "demoted_similarity_sq", "similarity_x_recall", "token_recall", "demoted_token_recall",
    "demoted_token_precision", "mid_token_recall", "mid_token_precision", "mid_demoted_token_recall",
    "mid_demoted_token_precision",
)
CONTEXT_FEATURES = (
    "context_token_recall", "context_token_precision", "context_demoted_token_recall",
    "context_demoted_token_precision", "context_similarity",
)
FEATURE_NAMES = ALONE_FEATURES + CONTEXT_FEATURES
# The two views the model averages (train.fit_reference_model); the word-overlap and length
# features belong to both.
VIEWS = {
    "alone": ALONE_FEATURES,
    "in_context": ("content_recall", "content_precision", "log_words", "log_length_ratio", "content_jaccard",
                   *CONTEXT_FEATURES),
}
CRITERION_ID = "reference"
MAX_ANSWER_CHARS = 2000
QUESTION_TOKEN_MATCH = 0.8  # a token this close to a question token only repeats the question


def reference_features(*, question: str, reference: str, answer: str) -> np.ndarray:
    answer = answer[:MAX_ANSWER_CHARS]
    question_stems = text.content_stems(question)
    fixed = _fixed_texts(question, reference)
    reference_encoding, question_encoding, reference_in_context = fixed.reference, fixed.question, fixed.in_context
    demoted_reference = fixed.demoted_reference
    answer_encoding, demoted_encoding = embedding.encode_with_tokens([answer, _demote(answer, question_stems)])
    answer_vector, reference_vector = answer_encoding.sentence, reference_encoding.sentence
    similarity = float(answer_vector @ reference_vector)
    demoted_similarity = float(demoted_encoding.sentence @ demoted_reference)
    recall, precision, jaccard = _content_overlap(question_stems, reference, answer)
    answer_words, reference_words = len(text.words(answer)), len(text.words(reference))
    top = _token_alignment(reference_encoding.tokens, answer_encoding.tokens, question_encoding.tokens)
    mid = _token_alignment(reference_encoding.mid_tokens, answer_encoding.mid_tokens, question_encoding.mid_tokens)
    answer_in_context = embedding.encode_in_context(question, answer)
    context = _token_alignment(reference_in_context.tokens, answer_in_context.tokens,
                               reference_in_context.question_tokens, answer_question=answer_in_context.question_tokens)
    return np.asarray([
        similarity, recall, precision, math.log1p(answer_words), float(answer_vector @ question_encoding.sentence),
        demoted_similarity, math.log((answer_words + 1) / (reference_words + 1)), jaccard,
        similarity ** 2, demoted_similarity ** 2, similarity * recall,
        top.recall, top.demoted_recall, top.demoted_precision,
        mid.recall, mid.precision, mid.demoted_recall, mid.demoted_precision,
        context.recall, context.precision, context.demoted_recall, context.demoted_precision,
        float(answer_in_context.sentence @ reference_in_context.sentence),
    ], dtype=np.float32)


@dataclass(frozen=True)
class FixedTexts:
    """A question and its reference, encoded once per process: the reference, the question and
    the reference without the question's words alone (one forward pass), and the reference
    read after the question (another)."""

    reference: embedding.TokenEncoding
    question: embedding.TokenEncoding
    demoted_reference: np.ndarray
    in_context: embedding.ContextEncoding


_fixed_cache: dict[tuple[str, str], FixedTexts] = {}
_FIXED_CACHE_LIMIT = 5_000


def _fixed_texts(question: str, reference: str) -> FixedTexts:
    key = (question, reference)
    if key not in _fixed_cache:
        if len(_fixed_cache) >= _FIXED_CACHE_LIMIT:
            _fixed_cache.clear()
        demoted = _demote(reference, text.content_stems(question))
        reference_encoding, question_encoding, demoted_encoding = embedding.encode_with_tokens([reference, question, demoted])
        _fixed_cache[key] = FixedTexts(reference_encoding, question_encoding, demoted_encoding.sentence,
                                       embedding.encode_in_context(question, reference))
    return _fixed_cache[key]


def _demote(passage: str, question_stems: set[str]) -> str:
    """The passage without the words it shares with the question (they prove nothing)."""
    kept = [w for w in text.words(passage) if text.stem(w) not in question_stems]
    return " ".join(kept) or passage


def _content_overlap(question_stems: set[str], reference: str, answer: str) -> tuple[float, float, float]:
    reference_stems = text.content_stems(reference) - question_stems
    answer_stems = text.content_stems(answer) - question_stems
    shared = len(reference_stems & answer_stems)
    union = len(reference_stems | answer_stems)
    return (shared / len(reference_stems) if reference_stems else 0.0,
            shared / len(answer_stems) if answer_stems else 0.0,
            shared / union if union else 0.0)


@dataclass(frozen=True)
class TokenAlignment:
    recall: float
    precision: float
    demoted_recall: float
    demoted_precision: float


def _token_alignment(reference: np.ndarray, answer: np.ndarray, question: np.ndarray,
                     answer_question: np.ndarray | None = None) -> TokenAlignment:
    """BERTScore-style soft matching of contextual tokens, with question tokens demoted.
    `answer_question` is the question as encoded beside the answer, where that differs
    from the question beside the reference (the in-context view); by default the same."""
    similarity = reference @ answer.T
    recall, precision = float(similarity.max(axis=1).mean()), float(similarity.max(axis=0).mean())
    new_in_reference = _new_tokens(reference, question)
    new_in_answer = _new_tokens(answer, question if answer_question is None else answer_question)
    demoted_recall = float(similarity[new_in_reference].max(axis=1).mean()) if new_in_reference.any() else recall
    demoted_precision = float(similarity[:, new_in_answer].max(axis=0).mean()) if new_in_answer.any() else 0.0
    return TokenAlignment(recall, precision, demoted_recall, demoted_precision)


def _new_tokens(tokens: np.ndarray, question: np.ndarray) -> np.ndarray:
    """Which tokens do not merely repeat a question token."""
    if not len(question):
        return np.ones(len(tokens), dtype=bool)
    return (tokens @ question.T).max(axis=1) < QUESTION_TOKEN_MATCH


def evidence_segment(reference: str, answer: str) -> str:
    """The answer segment sharing most content words with the reference."""
    segments = text.split_segments(answer[:MAX_ANSWER_CHARS]) or [answer[:MAX_ANSWER_CHARS]]
    reference_stems = text.content_stems(reference)
    return max(segments, key=lambda s: len(text.content_stems(s) & reference_stems))


def predicted_share(features: np.ndarray, model: classifier.LinearModel) -> float:
    return float(np.clip(model.decision(features)[0, 0], 0.0, 1.0))


def score_against_reference(*, question: str, reference: str, max_points: float, answer: str) -> RubricScore:
    """Score an answer by its closeness to one reference answer, on a 0..max_points scale."""
    if max_points <= 0:
        raise ValueError("max_points must be positive")
    model = classifier.load_model(REFERENCE_MODEL)
    if model.features != FEATURE_NAMES:
        raise RuntimeError(f"{REFERENCE_MODEL}.json was fitted on other features than reference.FEATURE_NAMES; "
                           "refit it with `python -m graders.rubric train --only reference`")
    if not text.words(answer) or text.is_non_answer(answer):
        criterion = CriterionScore(CRITERION_ID, 0.0, max_points, 1.0, None, 0.0)
        return RubricScore(0.0, max_points, False, (criterion,), ("empty" if not text.words(answer) else "non_answer",))
    features = reference_features(question=question, reference=reference, answer=answer)
    share = predicted_share(features, model)
    confidence = _confidence(share, model)
    points = round(share * max_points, 2)
    evidence = evidence_segment(reference, answer) if share > 0 else None
    criterion = CriterionScore(CRITERION_ID, points, max_points, confidence, evidence, share)
    review_below = float(model.meta.get("review_below", 0.5))
    return RubricScore(points, max_points, confidence < review_below, (criterion,))


def _confidence(share: float, model: classifier.LinearModel) -> float:
    """Residuals are largest mid-scale; confidence falls with the fitted residual spread there."""
    spread = float(model.meta.get("residual_sd", 0.2))
    distance_to_edge = min(share, 1.0 - share)
    return float(np.clip(1.0 - spread * (1.0 + 2.0 * distance_to_edge), 0.0, 1.0))
