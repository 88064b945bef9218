"""Drafts: reads. What the editor opens with."""
from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from drafts.files import ordered, starter_tabs
from drafts.models import Draft
from submissions.models import Submission
from submissions.selectors import submission_get


@dataclass(frozen=True)
class EditorFiles:
    files: dict[str, str]
    source: str  # "starter", "draft" or "submission"
    submission: Submission | None = None
    draft: Draft | None = None


def draft_get(*, user, challenge) -> Draft | None:
    """The user's own draft of the challenge (None for anonymous users or no draft)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Draft.objects.filter(user=user, challenge=challenge).first()


def editor_files(*, user, challenge, from_submission: str | None = None) -> EditorFiles:
    """What the editor opens: a submission of the user's at this challenge when asked ("edit and
    resubmit"), else the user's draft, else the starter files."""
    version = challenge.current_version
    draft = draft_get(user=user, challenge=challenge)
    if from_submission and getattr(user, "is_authenticated", False):
        try:
            submission = submission_get(user=user, submission_id=from_submission)
        except (Submission.DoesNotExist, ValidationError):  # a malformed id too (the query validates UUIDs)
            submission = None
        else:
            if submission.challenge_version.challenge_id != challenge.pk:
                submission = None
        if submission is not None:
            return EditorFiles(files=ordered(dict(submission.files), version=version), source="submission", submission=submission, draft=draft)
    if draft is not None and draft.files:
        return EditorFiles(files=ordered(dict(draft.files), version=version), source="draft", draft=draft)
    return EditorFiles(files=starter_tabs(version), source="starter", draft=draft)
