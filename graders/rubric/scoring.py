"""Score a written answer against a rubric: per-criterion points, evidence, confidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


from . import classifier, features
from .format import Rubric

CRITERION_MODEL = "criterion_model"
LEVELS = (0.0, 0.5, 1.0)  # share of a criterion's points: nothing, half, full
DEFAULT_REVIEW_BELOW = 0.6
# Misconceptions have few positive labels, so the pooled classifier's belief in one runs low:
# 0.45, not 0.5, is where every shipped misconception exemplar validates (validate_rubric).
MISCONCEPTION_DETECTED = 0.45


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
                      model: classifier.LinearModel | None = None, exclusive: bool = True) -> RubricScore:
    """`exclusive=False` lets every criterion use any segment (rubric validation asks whether
    each exemplar is recognised as its own criterion, whatever else it resembles)."""
    model = model or classifier.load_model(CRITERION_MODEL)
    prepared = features.prepare(rubric)
    segmented = features.segment_answer(prepared, answer)
    scores = _exclusive_scores(prepared, segmented, model, exclude, rounds=len(prepared.criteria) if exclusive else 0)
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


@dataclass
class _Candidate:
    item: features.PreparedCriterion
    blocked: set[int]
    score: CriterionScore
    index: int | None  # the segment the classifier credited, None for no credit or the tool rule
    strength: float    # the classifier's expected share of the criterion, to settle a shared span


def _exclusive_scores(prepared, segmented, model, exclude, *, rounds: int) -> list[CriterionScore]:
    """Score every criterion; a segment credited to two criteria stays with the one the
    classifier is surest of, and the others are scored again without it (one span earns
    at most one criterion, unless the rubric lets a criterion share its evidence)."""
    candidates = [_candidate(prepared, item, segmented, model, exclude, set()) for item in prepared.criteria]
    for _ in range(rounds):
        losers = _sharing_losers(candidates)
        if not losers:
            break
        for i in losers:
            blocked = candidates[i].blocked | {candidates[i].index}
            candidates[i] = _candidate(prepared, candidates[i].item, segmented, model, exclude, blocked)
    return [c.score for c in candidates]


def _sharing_losers(candidates: list[_Candidate]) -> list[int]:
    """Positions of the criteria that must give up their segment to a stronger one."""
    holders: dict[int, list[int]] = {}
    for position, candidate in enumerate(candidates):
        criterion = candidate.item.criterion
        if candidate.index is not None and not criterion.is_misconception and not criterion.shares_evidence:
            holders.setdefault(candidate.index, []).append(position)
    losers = []
    for positions in holders.values():
        if len(positions) > 1:
            winner = max(positions, key=lambda p: (candidates[p].strength, candidates[p].score.max))
            losers += [p for p in positions if p != winner]
    return losers


def _candidate(prepared, item, segmented, model, exclude, blocked: set[int]) -> _Candidate:
    evidence = features.criterion_evidence(prepared, item, segmented, exclude=exclude, blocked=frozenset(blocked))
    probabilities = model.predict_proba(evidence.features)[0]
    score, credited = _score_criterion(item.criterion, evidence, probabilities)
    strength = float(probabilities[1] * 0.5 + probabilities[2]) if len(probabilities) == 3 else 0.0
    return _Candidate(item, blocked, score, evidence.index if credited else None, strength)


def _score_criterion(criterion, evidence: features.CriterionEvidence, probabilities) -> tuple[CriterionScore, bool]:
    """The criterion's score, and whether the classifier (not the tool rule) credited the segment."""
    kind = "misconception" if criterion.is_misconception else "criterion"
    best = 0.0 if criterion.is_misconception else criterion.points
    if evidence.segment is None:  # nothing usable in the answer: certain zero
        return CriterionScore(criterion.id, 0.0, best, 1.0, None, 0.0, kind, min(criterion.points, 0.0)), False
    if criterion.is_misconception:
        detected = bool(probabilities[1:].sum() > MISCONCEPTION_DETECTED)
        confidence = probabilities[1:].sum() if detected else probabilities[0]
        return CriterionScore(criterion.id, criterion.points if detected else 0.0, 0.0, float(confidence),
                              evidence.segment if detected else None, float(detected), kind, criterion.points), detected
    level_index = _ordinal_level(probabilities)
    confidence = float(probabilities[level_index])
    segment = evidence.segment
    if evidence.bare and level_index > 0:
        # A topic or tool named with no claim about it: only the rubric's explicit partial
        # credit for a bare tool (below) can earn anything.
        level_index, confidence = 0, float(probabilities[0])
    credited = level_index > 0
    if level_index == 0 and evidence.tool_segment is not None:
        # The rubric's rule: a bare mention of the right tool earns half. The classifier
        # disagreed, so the confidence is its (low) belief in credit: a reviewer will look.
        level_index, confidence, segment = 1, float(probabilities[1:].sum()), evidence.tool_segment
    level = LEVELS[level_index]
    return CriterionScore(criterion.id, level * criterion.points, criterion.points, confidence,
                          segment if level > 0 else None, level, kind), credited


def _ordinal_level(probabilities) -> int:
    """Credit when the classifier thinks credit is more likely than none, then the likelier of
    half and full: the levels are ordered, so half and full together outvote nothing."""
    if probabilities[0] >= 0.5:
        return 0
    return 1 if probabilities[1] > probabilities[2] else 2


def _tidy(value: float) -> float | int:
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded
