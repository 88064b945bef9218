"""Per-criterion scores of a written submission, and reviewers' overrides of them.

The grader's output stays as it was (`grader_points`); a reviewer's decision is a new
CriterionOverride row, so every change keeps its reviewer and reason and can serve as a
training label later.
"""

from django.conf import settings
from django.db import models


class WrittenReview(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"          # the grader was unsure: in the queue
        AUTO = "auto"                # the grader was sure: final unless someone overrides
        REVIEWED = "reviewed"        # a reviewer has signed it off

    submission = models.OneToOneField("submissions.Submission", on_delete=models.CASCADE, related_name="written_review")
    rubric_max = models.FloatField()
    grader_score = models.FloatField()
    final_score = models.FloatField()
    uncertainty = models.FloatField(db_index=True, help_text="1 - the lowest criterion confidence")
    status = models.CharField(max_length=10, choices=Status.choices, db_index=True)
    flags = models.JSONField(default=list, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uncertainty", "created_at"]

    def __str__(self) -> str:
        return f"review of {self.submission_id}: {self.final_score:g}/{self.rubric_max:g} ({self.status})"


class CriterionMark(models.Model):
    class Kind(models.TextChoices):
        CRITERION = "criterion"
        MISCONCEPTION = "misconception"

    review = models.ForeignKey(WrittenReview, on_delete=models.CASCADE, related_name="marks")
    position = models.PositiveSmallIntegerField()
    criterion_id = models.CharField(max_length=64)
    description = models.TextField(blank=True, help_text="what the criterion asks for, from the rubric")
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.CRITERION)
    max_points = models.FloatField(help_text="the most it can earn (0 for a misconception)")
    min_points = models.FloatField(default=0.0, help_text="the least it can earn (negative for a misconception)")
    grader_points = models.FloatField()
    confidence = models.FloatField()
    evidence = models.TextField(blank=True)
    final_points = models.FloatField()

    class Meta:
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "criterion_id"], name="unique_mark_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.final_points:g}"

    @property
    def is_overridden(self) -> bool:
        return self.final_points != self.grader_points

    @property
    def label(self) -> str:
        """What reviewers and candidates read: the rubric's description, else the id."""
        return self.description or self.criterion_id


class CriterionOverride(models.Model):
    mark = models.ForeignKey(CriterionMark, on_delete=models.CASCADE, related_name="overrides")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="criterion_overrides")
    previous_points = models.FloatField()
    points = models.FloatField()
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.mark.criterion_id}: {self.previous_points:g} -> {self.points:g} by {self.reviewer}"
