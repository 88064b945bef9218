"""Written answers scored against rubrics, offline on the CPU (no Django here).

Public API (keyword-only): load_rubric, score_answer, score_against_reference,
validate_rubric. The sentence-embedding model loads on first use, once per process.
"""

from .format import Criterion, Rubric, RubricError, load_rubric
from .reference import score_against_reference
from .scoring import CriterionScore, RubricScore, score_answer
from .validate import validate_rubric

__all__ = [
    "Criterion", "CriterionScore", "Rubric", "RubricError", "RubricScore",
    "load_rubric", "score_against_reference", "score_answer", "validate_rubric",
]
