"""Reads for submissions (leaderboards: leaderboards.selectors)."""
from __future__ import annotations

import difflib
import uuid

from django.db.models import QuerySet

from catalog.models import Challenge
from catalog.selectors import challenge_list, runs_on
from submissions.models import Submission
from workers.devices import device_kind_of
from workers.selectors import live_device_classes


def submission_list(*, user) -> QuerySet[Submission]:
    return Submission.objects.filter(user=user).select_related("challenge_version__challenge", "result")


def submission_get(*, user, submission_id) -> Submission:
    """Only the owner (or staff) sees a submission; raises Submission.DoesNotExist otherwise."""
    qs = Submission.objects.select_related("challenge_version__challenge", "result", "user")
    if not user.is_staff:
        qs = qs.filter(user=user)
    return qs.get(pk=submission_id)


def solved_challenge_ids(*, user) -> set[int]:
    """The ids of the challenges this user has solved: a result at or past the challenge's
    first target tier (the rule: submissions.rules.result_solves). Empty for anonymous users."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Submission.objects.filter(user=user, result__solved=True).values_list("challenge_version__challenge_id", flat=True).distinct())


def is_solved(*, user, challenge: Challenge) -> bool:
    """Whether this user has solved this challenge (see solved_challenge_ids)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Submission.objects.filter(user=user, challenge_version__challenge=challenge, result__solved=True).exists()


def user_has_solved(*, user, challenge: Challenge) -> bool:
    """The older name of is_solved."""
    return is_solved(user=user, challenge=challenge)


def device_classes_for(*, challenge: Challenge) -> list[dict]:
    """The live device classes (workers.selectors.live_device_classes rows) a submission to this
    challenge may name: those whose kind the challenge runs on."""
    return [row for row in live_device_classes() if runs_on(challenge, device_kind_of(row["name"]))]


def challenge_history(*, user, challenge: Challenge) -> QuerySet[Submission]:
    """Every attempt of this user at this challenge (every version), newest first."""
    return (Submission.objects.filter(user=user, challenge_version__challenge=challenge)
            .select_related("challenge_version", "result").order_by("-created_at"))


def submission_diff(*, user, challenge: Challenge, old_id, new_id) -> list[dict]:
    """A unified diff, file by file, from one of the user's attempts at the challenge to another:
    `name`, `status` (added | removed | changed | same) and `lines` (each `{"kind", "text"}`,
    kind one of + - @ or a space). Raises Submission.DoesNotExist unless both are the user's
    attempts at this challenge."""
    try:
        old_id, new_id = uuid.UUID(str(old_id)), uuid.UUID(str(new_id))
    except ValueError:
        raise Submission.DoesNotExist("Choose two of your attempts to compare.") from None
    attempts = {s.pk: s for s in challenge_history(user=user, challenge=challenge).filter(pk__in=[old_id, new_id])}
    old, new = attempts.get(old_id), attempts.get(new_id)
    if old is None or new is None:
        raise Submission.DoesNotExist("Both attempts must be yours, at this challenge.")
    return [_file_diff(name, old.files.get(name), new.files.get(name)) for name in sorted(set(old.files) | set(new.files))]


def _file_diff(name: str, old: str | None, new: str | None) -> dict:
    status = "added" if old is None else "removed" if new is None else "same" if old == new else "changed"
    lines = difflib.unified_diff((old or "").splitlines(), (new or "").splitlines(), fromfile=f"a/{name}", tofile=f"b/{name}", lineterm="")
    body = [line for line in lines if not line.startswith(("--- ", "+++ "))]
    return {"name": name, "status": status, "lines": [{"kind": line[:1] or " ", "text": line} for line in body]}


def topic_progress(*, user) -> list[dict]:
    """Per topic (tag) of the active catalog: `topic`, `total` challenges, `solved` by this user,
    `percent`; topics in name order."""
    solved = solved_challenge_ids(user=user)
    topics: dict[str, list[int]] = {}
    for challenge in challenge_list():
        for tag in challenge.tags or ["untagged"]:
            topics.setdefault(tag, []).append(challenge.pk)
    rows = []
    for topic, ids in sorted(topics.items()):
        done = sum(1 for pk in ids if pk in solved)
        rows.append({"topic": topic, "total": len(ids), "solved": done, "percent": round(100 * done / len(ids))})
    return rows
