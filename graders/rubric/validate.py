"""Checks that a rubric is usable: every exemplar must score as labelled.

Each exemplar is scored as a one-sentence answer with itself left out of the exemplar
pool, so the check measures whether the rest of the rubric recognises it.
"""

from __future__ import annotations

from .format import Rubric
from .scoring import score_with_rubric

_EXPECTED_LEVEL = {"positive": 1.0, "partial": 0.5, "negative": 0.0}


def validate_rubric(*, rubric: Rubric) -> list[str]:
    """Problems found, one line each (an empty list: the rubric is fine)."""
    problems = _structure_problems(rubric)
    for criterion in rubric.criteria:
        for kind, exemplar in criterion.exemplars():
            problem = _exemplar_problem(rubric, criterion.id, kind, exemplar)
            if problem:
                problems.append(problem)
    return problems


def _structure_problems(rubric: Rubric) -> list[str]:
    problems = []
    for criterion in rubric.criteria:
        if criterion.is_misconception and criterion.partial:
            problems.append(f"{criterion.id}: a misconception has no half credit; remove its partial exemplars")
        if not criterion.negative:
            problems.append(f"{criterion.id}: no negative exemplar; add a negated or near-miss statement")
    return problems


def _exemplar_problem(rubric: Rubric, criterion_id: str, kind: str, exemplar: str) -> str | None:
    result = score_with_rubric(rubric, exemplar, exclude=exemplar, exclusive=False)
    scored = next(c for c in result.criteria if c.id == criterion_id)
    expected = _EXPECTED_LEVEL[kind]
    if rubric.criterion(criterion_id).is_misconception:
        expected = 1.0 if kind == "positive" else 0.0
    if scored.level != expected:
        return (f"{criterion_id}: {kind} exemplar scored {scored.level:g} of the criterion, "
                f"expected {expected:g}: {exemplar!r}")
    return None
