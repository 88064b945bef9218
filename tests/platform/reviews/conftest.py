"""Fixtures for the reviews app: a written challenge synced from challenges/, a graded submission."""
from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from tests.factories import UserFactory, synced_challenge


def scored(*, needs_review: bool = True, confidences=(0.55, 0.9, 0.95)) -> dict:
    """A rubric result in the score_answer JSON shape (hand-written: no model needed)."""
    return {
        "score": 3.5, "max": 10, "needs_review": needs_review, "flags": [],
        "criteria": [
            {"id": "baseline", "points": 1, "max": 2, "confidence": confidences[0], "evidence": "nvidia-smi", "kind": "criterion", "min": 0},
            {"id": "hypothesis_bisect", "points": 2, "max": 2, "confidence": confidences[1], "evidence": "Bisect the diff.", "kind": "criterion", "min": 0},
            {"id": "verify_fix", "points": 0.5, "max": 1, "confidence": confidences[2], "evidence": "DCGM", "kind": "criterion", "min": 0},
            {"id": "blame_hardware_or_weights", "points": 0, "max": 0, "confidence": 0.97, "evidence": None, "kind": "misconception", "min": -1},
        ],
    }


@pytest.fixture
def written_challenge(db):
    return synced_challenge("debug-regression", root=REPO_ROOT / "challenges")


@pytest.fixture
def reviewer(db):
    return UserFactory(username="reviewer", is_staff=True)


@pytest.fixture
def make_graded(written_challenge):
    """A submission whose result was recorded by the service the grading task uses
    (`submission_record_result`), which records the review too."""
    from graders.result import GradeResult
    from submissions.models import Submission
    from submissions.services import submission_record_result

    def make(*, answer: str = "Bisect the diff. nvidia-smi. DCGM.", rubric: dict | None = None, user=None):
        submission = Submission.objects.create(
            user=user or UserFactory(), challenge_version=written_challenge.current_version,
            files={written_challenge.current_version.entry_file: answer}, status=Submission.Status.RUNNING)
        data = rubric or scored()
        result = GradeResult(verdict="accepted", score=100 * data["score"] / data["max"], message="",
                             checks=[{"name": "rubric", "status": "skip", "detail": "awaiting review"}],
                             metrics={"rubric": data, "speedup": None, "latency_ms": None})
        return submission_record_result(submission=submission, result=result)

    return make
