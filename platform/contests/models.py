"""Competitions: a time window, a set of challenges on one device class, registration, rate
limits, a scoreboard that may freeze, re-verification of the top entries and an audit log."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class Contest(models.Model):
    class Registration(models.TextChoices):
        OPEN = "open"
        INVITE = "invite", "by invitation"

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)
    rules_md = models.TextField(blank=True, help_text="shown on the contest page (Markdown)")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    freeze_at = models.DateTimeField(null=True, blank=True, help_text="participants see the board as of this time until it is revealed")
    device_class = models.CharField(max_length=20, default="cpu")
    registration = models.CharField(max_length=10, choices=Registration.choices, default=Registration.OPEN)
    rate_limit_count = models.PositiveSmallIntegerField(default=10, help_text="submissions per user per window")
    rate_limit_window_s = models.PositiveIntegerField(default=3600)
    reverify_top_n = models.PositiveSmallIntegerField(default=3, help_text="entries per challenge re-graded with fresh seeds")
    code_public = models.BooleanField(default=False, help_text="entries' code is public once the standings are published")
    challenges = models.ManyToManyField("catalog.Challenge", through="ContestChallenge", related_name="contests")
    organisers = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="organised_contests")
    verified_at = models.DateTimeField(null=True, blank=True, help_text="when the top entries were last re-verified")
    published_at = models.DateTimeField(null=True, blank=True, help_text="the reveal: standings final and public")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return self.slug

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.starts_at >= self.ends_at:
            raise ValidationError("A contest must end after it starts.")
        if self.freeze_at and not (self.starts_at <= self.freeze_at <= self.ends_at):
            raise ValidationError("The freeze must fall between the start and the end.")


class ContestChallenge(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="contest_challenges")
    challenge = models.ForeignKey("catalog.Challenge", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "challenge"], name="contest_challenge_once")]

    def __str__(self) -> str:
        return f"{self.contest}: {self.challenge}"


class Invitation(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_invitations")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "user"], name="contest_invitation_once")]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.contest}"


class Participant(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contest_participations")
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contest", "user"], name="contest_participant_once")]

    def __str__(self) -> str:
        return f"{self.user} in {self.contest}"


class ContestSubmission(models.Model):
    """A submission made through a contest. It is never deleted: a disqualified entry keeps its
    row and result, and only leaves the boards."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    submission = models.OneToOneField("submissions.Submission", on_delete=models.CASCADE, related_name="contest_entry")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    challenge = models.ForeignKey("catalog.Challenge", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(help_text="the submission's time (the freeze and the rate limit compare it)")
    disqualified_at = models.DateTimeField(null=True, blank=True)
    disqualified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    disqualification_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["contest", "created_at"], name="contest_entry_time"),
            models.Index(fields=["contest", "user", "created_at"], name="contest_entry_user_time"),
        ]

    def __str__(self) -> str:
        return f"{self.contest}: {self.submission_id}"


class Verification(models.Model):
    """The re-grading of one entry with a fresh secret seed, and whether it reproduced."""

    class Status(models.TextChoices):
        REPRODUCED = "reproduced"
        NOT_REPRODUCED = "not_reproduced", "did not reproduce"

    entry = models.OneToOneField(ContestSubmission, on_delete=models.CASCADE, related_name="verification")
    status = models.CharField(max_length=20, choices=Status.choices)
    verdict = models.CharField(max_length=30, help_text="the re-grading's verdict")
    score = models.FloatField(help_text="the re-grading's score; a demoted entry counts with it")
    speedup = models.FloatField(null=True, blank=True)
    speedup_ci_low = models.FloatField(null=True, blank=True)
    speedup_ci_high = models.FloatField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="why it did not reproduce, shown on the board")
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.entry}: {self.status}"


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        DISQUALIFY = "disqualify"
        REINSTATE = "reinstate"
        VERIFY = "verify", "re-verify"
        PUBLISH = "publish"
        INVITE = "invite"

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    entry = models.ForeignKey(ContestSubmission, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.contest}: {self.action} by {self.actor}"
