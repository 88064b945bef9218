"""The `rubric` grader kind: a written answer is accepted only at or above its rubric's pass mark."""
from __future__ import annotations

import shutil

import pytest

from graders import verdicts
from graders.kinds.rubric import grade, written_outcome
from graders.pipeline import GradeJob
from graders.rubric import RubricError, load_rubric
from graders.rubric.format import DEFAULT_PASS_MARK
from graders.rubric.scoring import CriterionScore, RubricScore
from graders.spec import load_spec
from tests.conftest import REPO_ROOT

RUBRIC = '''
question = "Why is the sky blue?"
max_points = 10
{pass_mark}
[[criterion]]
id = "scattering"
points = 10
description = "Rayleigh scattering favours short wavelengths."
positive = ["Short wavelengths scatter more."]
'''


def write(tmp_path, pass_mark: str = ""):
    path = tmp_path / "rubric.toml"
    path.write_text(RUBRIC.format(pass_mark=pass_mark))
    return path


def test_the_pass_mark_defaults_to_60_percent(tmp_path):
    assert DEFAULT_PASS_MARK == 60.0
    assert load_rubric(write(tmp_path)).pass_mark == 60.0
    assert load_rubric(write(tmp_path, "pass_mark = 75")).pass_mark == 75.0


@pytest.mark.parametrize("value, message", [
    ("0.6", "percentage"), ("0", "percentage"), ("101", "percentage"), ('"60%"', "must be a number"), ("true", "must be a number"),
])
def test_a_bad_pass_mark_is_refused_naming_the_field(tmp_path, value, message):
    with pytest.raises(RubricError, match=message):
        load_rubric(write(tmp_path, f"pass_mark = {value}"))


@pytest.mark.parametrize("points, pass_mark, verdict, score, status", [
    (6, None, verdicts.ACCEPTED, 60.0, "pass"),          # exactly at the mark passes
    (5.5, None, verdicts.WRONG_ANSWER, 0.0, "fail"),
    (0, None, verdicts.WRONG_ANSWER, 0.0, "fail"),        # a non-answer is never accepted
    (7, 75, verdicts.WRONG_ANSWER, 0.0, "fail"),
    (7.5, 75, verdicts.ACCEPTED, 75.0, "pass"),
])
def test_written_outcome_against_the_pass_mark(points, pass_mark, verdict, score, status):
    outcome = written_outcome(points, 10, pass_mark=pass_mark, pending=False)
    assert (outcome["verdict"], outcome["score"], outcome["check"]["status"]) == (verdict, score, status)
    assert "% to pass" in outcome["check"]["detail"]


def test_a_pending_outcome_says_awaiting_review():
    outcome = written_outcome(3, 10, pass_mark=None, pending=True)
    assert outcome["check"]["status"] == "skip" and "awaiting review" in outcome["check"]["detail"]


@pytest.fixture
def written_package(tmp_path):
    package = tmp_path / "debug-regression"
    shutil.copytree(REPO_ROOT / "challenges" / "debug-regression", package)
    return package


def fake_score(points: float, *, needs_review: bool = False):
    def score_answer(*, rubric, answer):
        first = rubric.scoring_criteria[0]
        return RubricScore(score=points, max=rubric.max_points, needs_review=needs_review,
                           criteria=(CriterionScore(id=first.id, points=min(points, first.points), max=first.points,
                                                    confidence=0.9, evidence=None),))
    return score_answer


@pytest.mark.parametrize("points, verdict", [(0, verdicts.WRONG_ANSWER), (5.5, verdicts.WRONG_ANSWER), (6, verdicts.ACCEPTED)])
def test_the_grader_gives_its_verdict_from_the_pass_mark_and_shows_descriptions(monkeypatch, written_package, points, verdict):
    import graders.rubric

    monkeypatch.setattr(graders.rubric, "score_answer", fake_score(points))
    spec = load_spec(written_package)
    job = GradeJob(slug=spec.slug, files={spec.entry_file: "an answer"}, device="cpu", package_dir=written_package)
    result = grade(job=job, spec=spec)
    assert result.verdict == verdict
    rubric = result.metrics["rubric"]
    assert rubric["pass_mark"] == 60.0
    assert rubric["criteria"][0]["description"].startswith("Compare before/after metrics")


def test_a_rubric_pass_mark_field_reaches_the_verdict(monkeypatch, written_package):
    import graders.rubric

    path = written_package / "rubric.toml"
    path.write_text(path.read_text().replace("max_points = 10", "max_points = 10\npass_mark = 50", 1))
    monkeypatch.setattr(graders.rubric, "score_answer", fake_score(5))
    spec = load_spec(written_package)
    job = GradeJob(slug=spec.slug, files={spec.entry_file: "an answer"}, device="cpu", package_dir=written_package)
    result = grade(job=job, spec=spec)
    assert result.verdict == verdicts.ACCEPTED and result.score == 50.0


def test_a_quiz_without_its_own_pass_percent_passes_at_the_same_default():
    from graders.trace_answers import DEFAULT_PASS_PERCENT

    assert DEFAULT_PASS_PERCENT == DEFAULT_PASS_MARK
