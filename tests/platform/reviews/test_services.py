"""Reviews: recording the grader's marks, overriding them, signing off, the queue, labels."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import CriterionOverride, WrittenReview
from reviews.selectors import override_training_labels, review_queue
from reviews.services import criterion_override, review_complete, written_review_record
from tests.conftest import REPO_ROOT
from tests.factories import UserFactory
from tests.platform.reviews.conftest import scored

pytestmark = pytest.mark.django_db


def mark_of(review, criterion_id):
    return review.marks.get(criterion_id=criterion_id)


def test_a_stored_rubric_result_creates_a_pending_review_with_its_marks(make_graded):
    submission = make_graded()
    review = WrittenReview.objects.get(submission=submission)
    assert review.status == WrittenReview.Status.PENDING
    assert review.grader_score == review.final_score == 3.5
    assert review.uncertainty == pytest.approx(0.45)
    assert [m.criterion_id for m in review.marks.all()] == ["baseline", "hypothesis_bisect", "verify_fix",
                                                            "blame_hardware_or_weights"]
    misconception = mark_of(review, "blame_hardware_or_weights")
    assert (misconception.min_points, misconception.max_points) == (-1, 0)


def test_a_confident_result_is_not_queued(make_graded):
    submission = make_graded(rubric=scored(needs_review=False, confidences=(0.9, 0.95, 0.97)))
    assert WrittenReview.objects.get(submission=submission).status == WrittenReview.Status.AUTO
    assert list(review_queue()) == []


def test_the_queue_puts_the_least_certain_first(make_graded):
    fairly_sure = make_graded(rubric=scored(confidences=(0.58, 0.9, 0.9)))
    unsure = make_graded(rubric=scored(confidences=(0.31, 0.9, 0.9)))
    middle = make_graded(rubric=scored(confidences=(0.45, 0.9, 0.9)))
    assert [r.submission_id for r in review_queue()] == [unsure.pk, middle.pk, fairly_sure.pk]
    assert list(review_queue(slug="batch-scaling")) == []


def test_an_override_changes_the_final_score_the_candidate_sees(make_graded, reviewer):
    submission = make_graded(rubric={**scored(), "pass_mark": 40})
    review = submission.written_review
    submission.result.refresh_from_db()
    assert (submission.result.verdict, submission.result.score) == ("wrong_answer", 0.0)  # 35% < 40%
    reason = "Compares before/after utilisation in the second paragraph."
    override = criterion_override(mark=mark_of(review, "baseline"), reviewer=reviewer, points=2, reason=reason)
    assert (override.previous_points, override.points, override.reviewer) == (1, 2, reviewer)
    review.refresh_from_db()
    assert review.final_score == 4.5 and review.grader_score == 3.5
    submission.result.refresh_from_db()
    assert (submission.result.verdict, submission.result.score) == ("accepted", 45.0)  # the override crossed the mark
    rubric = submission.result.metrics["rubric"]
    assert rubric["score"] == 4.5 and rubric["grader_score"] == 3.5
    baseline = next(c for c in rubric["criteria"] if c["id"] == "baseline")
    assert baseline["points"] == 2 and baseline["overridden"] and baseline["grader_points"] == 1
    assert baseline["override_reason"] == reason  # the candidate reads why
    assert submission.result.awaiting_review and not submission.result.solved  # still in the queue
    review_complete(review=review, reviewer=reviewer)
    submission.result.refresh_from_db()
    assert not submission.result.awaiting_review and submission.result.solved


def test_below_the_default_pass_mark_a_written_answer_is_a_wrong_answer(make_graded, reviewer):
    submission = make_graded(rubric=scored(needs_review=False, confidences=(0.9, 0.95, 0.97)))
    submission.result.refresh_from_db()
    assert (submission.result.verdict, submission.result.score) == ("wrong_answer", 0.0)  # 3.5 of 10 < 60%
    assert submission.result.checks[0]["status"] == "fail" and "60% to pass" in submission.result.message


def test_marks_keep_the_criterion_description(make_graded):
    data = scored()
    data["criteria"][0]["description"] = "Compare before/after metrics."
    review = make_graded(rubric=data).written_review
    assert mark_of(review, "baseline").label == "Compare before/after metrics."
    assert mark_of(review, "verify_fix").label == "verify_fix"  # no description stored: the id stands in


def test_a_misconception_override_can_take_points_away_but_the_total_stays_at_least_zero(make_graded, reviewer):
    review = make_graded().written_review
    for criterion_id in ("hypothesis_bisect", "verify_fix"):
        criterion_override(mark=mark_of(review, criterion_id), reviewer=reviewer, points=0, reason="Not there.")
    criterion_override(mark=mark_of(review, "blame_hardware_or_weights"), reviewer=reviewer, points=-1,
                       reason="Blames the GPU.")
    review.refresh_from_db()
    assert review.final_score == 0.0  # 1 - 1 = 0, and never below


@pytest.mark.parametrize("points, reason, message", [
    (2, "   ", "reason"),
    (2.5, "too many", "from 0 to 2"),
    (-0.5, "negative", "from 0 to 2"),
    (1.25, "off grid", "steps of 0.5"),
    (float("nan"), "nan", "number"),
])
def test_bad_overrides_are_refused_and_change_nothing(make_graded, reviewer, points, reason, message):
    review = make_graded().written_review
    with pytest.raises(ValidationError, match=message):
        criterion_override(mark=mark_of(review, "baseline"), reviewer=reviewer, points=points, reason=reason)
    assert CriterionOverride.objects.count() == 0
    assert mark_of(review, "baseline").final_points == 1


def test_only_reviewers_may_override(make_graded):
    review = make_graded().written_review
    with pytest.raises(PermissionDenied):
        criterion_override(mark=mark_of(review, "baseline"), reviewer=UserFactory(), points=2, reason="I like it.")


def test_signing_off_takes_the_review_out_of_the_queue_and_publishes(make_graded, reviewer):
    submission = make_graded()
    review_complete(review=submission.written_review, reviewer=reviewer)
    review = WrittenReview.objects.get(submission=submission)
    assert review.status == WrittenReview.Status.REVIEWED and review.reviewed_by == reviewer
    assert list(review_queue()) == []
    submission.result.refresh_from_db()
    assert submission.result.metrics["rubric"]["needs_review"] is False
    assert submission.result.checks[0]["status"] == "fail"  # signed off at 3.5 of 10: below the pass mark
    assert "awaiting review" not in submission.result.message


def test_recording_again_keeps_the_reviewers_work_unless_regraded(make_graded, reviewer):
    submission = make_graded()
    criterion_override(mark=mark_of(submission.written_review, "baseline"), reviewer=reviewer, points=2, reason="ok")
    assert written_review_record(submission=submission).final_score == 4.5
    regraded = written_review_record(submission=submission, regrade=True)
    assert regraded.final_score == 4.5  # the published result now carries the override
    assert WrittenReview.objects.count() == 1


def test_reviewed_marks_become_training_labels_in_the_data_set_shape(make_graded, reviewer):
    overridden = make_graded(answer="My answer: bisect the deployment diff.")
    make_graded(answer="Untouched by any reviewer.")
    criterion_override(mark=mark_of(overridden.written_review, "verify_fix"), reviewer=reviewer, points=0,
                       reason="DCGM named without any idea.")
    labels = override_training_labels()
    assert len(labels) == 1
    label = labels[0]
    assert label["challenge"] == "debug-regression" and label["split"] == "train"
    assert label["answer"] == "My answer: bisect the deployment diff."
    assert label["scores"] == {"baseline": 1, "hypothesis_bisect": 2, "verify_fix": 0, "blame_hardware_or_weights": 0}


def test_a_result_without_a_rubric_creates_no_review(written_challenge):
    from submissions.models import Result, Submission

    submission = Submission.objects.create(user=UserFactory(), challenge_version=written_challenge.current_version,
                                           files={"answer.md": "x"})
    Result.objects.create(submission=submission, verdict="internal_error", metrics={})
    assert written_review_record(submission=submission) is None
    assert WrittenReview.objects.count() == 0


def _graded_through_the_queue(challenge, answer: str):
    from submissions.models import Submission
    from submissions.services import submission_create

    submission = submission_create(user=UserFactory(), challenge=challenge, files={challenge.current_version.entry_file: answer})
    return Submission.objects.select_related("result").get(pk=submission.pk)


def _scored_directly(answer: str) -> dict:
    """The rubric grader called on its own, outside the platform: what the platform must show."""
    from graders.rubric import load_rubric, score_answer
    from graders.spec import load_spec

    spec = load_spec(REPO_ROOT / "challenges" / "debug-regression")
    return score_answer(rubric=load_rubric(spec.path("rubric")), answer=answer).as_dict()


@pytest.mark.django_db(transaction=True)  # the grading task is queued on commit
@pytest.mark.parametrize("answer, at_least", [
    ("If GPU utilisation is low, trace the pipeline with Nsight Systems and look for gaps between kernels. "
     "Then bisect the deployment diff, testing one hypothesis at a time.", {"gpu_low_nsys": 2, "hypothesis_bisect": 2}),
    ("I don't know.", {}),  # a non-answer: every criterion 0, and the score shown must be 0, not a stale copy
])
def test_grading_a_written_submission_end_to_end_records_its_review(written_challenge, eager_grading, answer, at_least):
    from submissions.models import Submission

    expected = _scored_directly(answer)
    submission = _graded_through_the_queue(written_challenge, answer)
    assert submission.status == Submission.Status.GRADED
    review = WrittenReview.objects.get(submission=submission)
    marks = {m.criterion_id: m.grader_points for m in review.marks.all()}
    assert marks == {c["id"]: c["points"] for c in expected["criteria"]}
    assert all(marks[c] == points for c, points in at_least.items())
    assert review.grader_score == review.final_score == expected["score"]
    assert review.status == (WrittenReview.Status.PENDING if expected["needs_review"] else WrittenReview.Status.AUTO)
    percent = round(100.0 * expected["score"] / expected["max"], 2)
    assert submission.result.score == (percent if percent >= 60 else 0.0)
    assert submission.result.verdict == ("accepted" if percent >= 60 else "wrong_answer")
    assert submission.result.metrics["rubric"]["score"] == expected["score"]


def test_a_saved_result_records_no_review_by_itself(written_challenge):
    """No hidden hook: only submission_record_result records the review."""
    from submissions.models import Result, Submission

    submission = Submission.objects.create(user=UserFactory(), challenge_version=written_challenge.current_version,
                                           files={"answer.md": "x"})
    Result.objects.create(submission=submission, verdict="accepted", score=35.0, metrics={"rubric": scored()})
    assert WrittenReview.objects.count() == 0
    assert Result.objects.get(submission=submission).score == 35.0


def test_a_failing_review_never_fails_the_grading(make_graded, monkeypatch):
    from submissions.models import Submission

    def broken(**kwargs):
        raise RuntimeError("review store is down")

    monkeypatch.setattr("submissions.services.written_review_record", broken)
    submission = make_graded()
    submission = Submission.objects.select_related("result").get(pk=submission.pk)
    assert submission.status == Submission.Status.GRADED and submission.result.score == 35.0
    assert not WrittenReview.objects.filter(submission=submission).exists()
