"""Organisations, their assessments, candidate invitations, timed sessions and the audit log.

An organisation's rows are reached only through `assessments.selectors` functions that filter by
the requesting member (every object URL answers 404 to anyone else); a candidate reaches only
their own invitation, through its secret token.
"""
from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models


def new_token() -> str:
    return secrets.token_urlsafe(32)


class Organisation(models.Model):
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Role(models.TextChoices):
    OWNER = "owner"          # everything, members included
    RECRUITER = "recruiter"  # builds assessments, invites candidates, reads reports
    REVIEWER = "reviewer"    # reads reports, reviews written answers


class Membership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="org_memberships")
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.organisation}"


class MemberInvite(models.Model):
    """A tokenised e-mail link that makes whoever accepts it (logged in) a member with this role."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="member_invites")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.email} as {self.role} of {self.organisation}"


class Assessment(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    title = models.CharField(max_length=200)
    instructions_md = models.TextField(blank=True, help_text="shown to candidates on the start page (Markdown)")
    time_limit_minutes = models.PositiveIntegerField(default=90)
    device_class = models.CharField(max_length=20, default="cpu", help_text="every code item is graded on this class")
    invitation_days = models.PositiveSmallIntegerField(default=7, help_text="how long an invitation link stays valid")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-created_at"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.title}"


class AssessmentItem(models.Model):
    """One challenge of an assessment, pinned to the version the assessment was built with."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    challenge_version = models.ForeignKey("catalog.ChallengeVersion", on_delete=models.PROTECT, related_name="assessment_items")
    position = models.PositiveSmallIntegerField()
    weight = models.FloatField(default=1.0)

    class Meta:
        ordering = ["assessment", "position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "position"], name="one_item_per_position")]

    def __str__(self) -> str:
        return f"{self.assessment_id}#{self.position}: {self.challenge_version}"


class CandidateInvitation(models.Model):
    """A candidate's single link: it starts one session, and then only resumes that session."""

    class Status(models.TextChoices):
        SENT = "sent"
        OPENED = "opened"
        STARTED = "started"
        SUBMITTED = "submitted"
        EXPIRED = "expired"
        REVOKED = "revoked"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_count = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "created_at"]

    def __str__(self) -> str:
        return f"{self.email} for {self.assessment}"

    @property
    def label(self) -> str:
        return self.name or self.email


class CandidateSession(models.Model):
    """The timed session an invitation started. `deadline` is fixed at the start, on the server."""

    invitation = models.OneToOneField(CandidateInvitation, on_delete=models.CASCADE, related_name="session")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="candidate_sessions",
                                  help_text="the account the session's submissions are made under (one per invitation)")
    consent_at = models.DateTimeField()
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True, help_text="handed in, or closed once the deadline passed")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"session of {self.invitation}"


class ItemWork(models.Model):
    """A candidate's autosaved work on one item, and the time spent on it."""

    session = models.ForeignKey(CandidateSession, on_delete=models.CASCADE, related_name="works")
    item = models.ForeignKey(AssessmentItem, on_delete=models.CASCADE, related_name="works")
    files = models.JSONField(default=dict, help_text="file name -> text, as last autosaved")
    saved_at = models.DateTimeField(null=True, blank=True)
    seconds_spent = models.PositiveIntegerField(default=0)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "item__position"]
        constraints = [models.UniqueConstraint(fields=["session", "item"], name="one_work_per_item")]

    def __str__(self) -> str:
        return f"{self.session_id}: item {self.item_id}"


class AssessmentSubmission(models.Model):
    """A graded submission made in a session (through submissions.services.submission_create)."""

    work = models.ForeignKey(ItemWork, on_delete=models.CASCADE, related_name="submissions")
    submission = models.OneToOneField("submissions.Submission", on_delete=models.CASCADE, related_name="assessment_link")
    automatic = models.BooleanField(default=False, help_text="submitted by the platform from the last autosave when time ran out")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work", "-created_at"]

    def __str__(self) -> str:
        return f"{self.work}: {self.submission_id}"


class AuditEntry(models.Model):
    """What a member did: invitation and status changes, overrides, exports. Never edited."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, db_index=True)
    target = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.action} {self.target}"

    @property
    def detail_pairs(self) -> list[tuple[str, object]]:
        """For templates: `detail.items` would read a key named "items"."""
        return sorted(self.detail.items()) if isinstance(self.detail, dict) else []
