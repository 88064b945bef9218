"""Score a written answer against a rubric: per-criterion points, evidence, confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import classifier, features
from .format import Rubric

CRITERION_MODEL = "criterion_model"
LEVELS = (0.0, 0.5, 1.0)  # share of a criterion's points: nothing, half, full
DEFAULT_REVIEW_BELOW = 0.6


@dataclass(frozen=True)
class CriterionScore:
    id: str
    points: float
    max: float
    confidence: float
    evidence: str | None
    level: float = 0.0  # share of max earned (0, 0.5, 1); for a misconception, 1 = detected
    kind: str = "criterion"  # or "misconception": points <= 0, max 0
    min: float = 0.0  # the least it can earn: a misconception's (negative) points

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "points": _tidy(self.points), "max": _tidy(self.max),
                "confidence": round(self.confidence, 2), "evidence": self.evidence, "kind": self.kind, "min": _tidy(self.min)}


@dataclass(frozen=True)
class RubricScore:
    score: float
    max: float
    needs_review: bool
    criteria: tuple[CriterionScore, ...]
    flags: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {"score": _tidy(self.score), "max": _tidy(self.max), "needs_review": self.needs_review,
                "criteria": [c.as_dict() for c in self.criteria], "flags": list(self.flags)}


def score_answer(*, rubric: Rubric, answer: str) -> RubricScore:
    """Score one answer; the embedding model loads on the first call of the process."""
    return score_with_rubric(rubric, answer)


def score_with_rubric(rubric: Rubric, answer: str, *, exclude: str | None = None,
                      model: classifier.LinearModel | None = None) -> RubricScore:
    model = model or classifier.load_model(CRITERION_MODEL)
    prepared = features.prepare(rubric)
    segmented = features.segment_answer(prepared, answer)
    scores = [_score_criterion(prepared, item, segmented, model, exclude) for item in prepared.criteria]
    total = min(max(sum(s.points for s in scores), 0.0), rubric.max_points)
    review_below = float(model.meta.get("review_below", DEFAULT_REVIEW_BELOW))
    unsure = any(s.confidence < review_below for s in scores) or "truncated" in segmented.flags
    return RubricScore(score=total, max=rubric.max_points, needs_review=unsure,
                       criteria=tuple(scores), flags=tuple(sorted(segmented.flags)))


def evidence_matrix(rubric: Rubric, answer: str, *, exclude: str | None = None) -> list[features.CriterionEvidence]:
    """The features of every criterion, in rubric order (training and inspection)."""
    prepared = features.prepare(rubric)
    segmented = features.segment_answer(prepared, answer)
    return [features.criterion_evidence(prepared, item, segmented, exclude=exclude) for item in prepared.criteria]


def _score_criterion(prepared, item, segmented, model, exclude) -> CriterionScore:
    evidence = features.criterion_evidence(prepared, item, segmented, exclude=exclude)
    probabilities = model.predict_proba(evidence.features)[0]
    criterion = item.criterion
    kind = "misconception" if criterion.is_misconception else "criterion"
    best = 0.0 if criterion.is_misconception else criterion.points
    if evidence.segment is None:  # nothing usable in the answer: certain zero
        return CriterionScore(criterion.id, 0.0, best, 1.0, None, 0.0, kind, min(criterion.points, 0.0))
    if criterion.is_misconception:
        detected = bool(probabilities[1:].sum() > 0.5)
        confidence = probabilities[1:].sum() if detected else probabilities[0]
        return CriterionScore(criterion.id, criterion.points if detected else 0.0, 0.0, float(confidence),
                              evidence.segment if detected else None, float(detected), kind, criterion.points)
    level_index = int(np.argmax(probabilities))
    confidence = float(probabilities[level_index])
    segment = evidence.segment
    if evidence.bare and level_index == 2:  # a bare tool name earns at most half
        level_index, confidence = 1, float(probabilities[1:].sum())
    if level_index == 0 and evidence.tool_segment is not None:
        # The rubric's rule: a bare mention of the right tool earns half. The classifier
        # disagreed, so the confidence is its (low) belief in credit: a reviewer will look.
        level_index, confidence, segment = 1, float(probabilities[1:].sum()), evidence.tool_segment
    level = LEVELS[level_index]
    return CriterionScore(criterion.id, level * criterion.points, criterion.points, confidence,
                          segment if level > 0 else None, level, kind)


def _tidy(value: float) -> float | int:
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded
