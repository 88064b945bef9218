"""The API's writes: each checks what only the API receives, then calls the owning app's service."""
from __future__ import annotations

from django.core.exceptions import ValidationError

from catalog.models import Challenge
from graders.submission_files import SubmissionFilesError, check_names_for_challenge
from submissions.models import Submission
from submissions.services import submission_create


class FileNamesError(ValidationError):
    """The files do not match the challenge's entry and starter files (a 400 on `files`)."""


def api_submission_create(
    *, user, challenge: Challenge, files: dict[str, str], device: str | None = None, device_class: str | None = None, contest=None
) -> Submission:
    """Check the file names against the challenge (graders.submission_files.check_names_for_challenge),
    then create and queue the submission (a contest entry when `contest` is given: the contest
    decides the device class). Raises FileNamesError or the services' ValidationError."""
    version = challenge.current_version
    if version is not None:
        try:
            check_names_for_challenge(files, entry_file=version.entry_file, starter_files=version.starter_files)
        except SubmissionFilesError as exc:
            raise FileNamesError(str(exc)) from None
    if contest is not None:
        from contests.services import contest_submit

        return contest_submit(contest=contest, user=user, challenge=challenge, files=files).submission
    return submission_create(user=user, challenge=challenge, files=files, device=device, device_class=device_class)
