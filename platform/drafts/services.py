"""Drafts: writes. The files are checked by the same rules as a submission (drafts.files.check_files)."""
from __future__ import annotations

from django.db import transaction

from drafts.files import check_files
from drafts.models import Draft


@transaction.atomic
def draft_save(*, user, challenge, files: dict[str, str]) -> Draft:
    """The files replace the user's draft of the challenge. Raises ValidationError for files a
    submission could not hold (so a saved draft can always be submitted)."""
    files = check_files(version=challenge.current_version, files=files)
    draft, _ = Draft.objects.update_or_create(user=user, challenge=challenge, defaults={"files": files})
    return draft


@transaction.atomic
def draft_delete(*, user, challenge) -> None:
    """Back to the starter files: the draft is removed."""
    Draft.objects.filter(user=user, challenge=challenge).delete()
