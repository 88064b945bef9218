"""Writes for leaderboards: keep BestEntry and UserTotal in step with the results.

Every save or delete of a Result reaches `leaderboard_result_saved` (signals.py), so the
grading path, a reviewer's re-scoring and an admin edit all update the boards. An entry is
recomputed from the source rows each time (the user's few results on that challenge), never
patched incrementally, so a refresh is always safe to repeat."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max, Sum

from leaderboards.models import BestEntry, UserTotal
from leaderboards.ranking import entry_sort_key, measured_speedup, rank_speedup
from leaderboards.selectors import counted_results
from submissions.models import Submission

logger = logging.getLogger(__name__)
REBUILD_BATCH = 5000


def leaderboard_result_saved(*, submission_id) -> None:
    """Refresh the entry a result belongs to (see leaderboard_entry_refresh_safely)."""
    triple = Submission.objects.filter(pk=submission_id).values_list("user_id", "challenge_version__challenge_id", "device_class").first()
    if triple is not None:  # else the submission itself is gone; its entry went with it (CASCADE)
        leaderboard_entry_refresh_safely(user_id=triple[0], challenge_id=triple[1], device_class=triple[2])


def leaderboard_entry_refresh_safely(*, user_id: int, challenge_id: int, device_class: str) -> None:
    """best_entry_refresh that never raises: a board problem must not undo the grading it comes
    from (it is logged, and `manage.py rebuild_leaderboards` repairs it)."""
    try:
        with transaction.atomic():
            best_entry_refresh(user_id=user_id, challenge_id=challenge_id, device_class=device_class)
    except Exception:  # noqa: BLE001 - logged; see the docstring
        logger.exception("refreshing the leaderboard entry of user %s on challenge %s (%s) failed", user_id, challenge_id, device_class)


def best_entries_refresh(*, submissions: Iterable[Submission]) -> None:
    """Refresh the entries of these submissions (e.g. a contest's, when it publishes)."""
    triples = {(s.user_id, s.challenge_version.challenge_id, s.device_class) for s in submissions}
    for user_id, challenge_id, device_class in sorted(triples):
        best_entry_refresh(user_id=user_id, challenge_id=challenge_id, device_class=device_class)


def _entry_fields(row: dict) -> dict:
    speedup, ci = measured_speedup(row["metrics"])
    flags = row["flags"] if isinstance(row["flags"], list) else []
    return {
        "submission_id": row["submission_id"],
        "score": float(row["score"]),
        "speedup": speedup,
        "rank_speedup": rank_speedup(speedup),
        "speedup_ci_low": ci[0] if ci else None,
        "speedup_ci_high": ci[1] if ci else None,
        "noisy": "noisy" in flags,
        "timing_mismatch": "timing_mismatch" in flags,
        "submitted_at": row["submission__created_at"],
    }


def _sort_key(row: dict) -> tuple:
    speedup, _ = measured_speedup(row["metrics"])
    return (*entry_sort_key(score=float(row["score"]), speedup=speedup, submitted_at=row["submission__created_at"]), str(row["submission_id"]))


ROW_FIELDS = ("submission_id", "score", "metrics", "flags", "submission__created_at")


@transaction.atomic
def best_entry_refresh(*, user_id: int, challenge_id: int, device_class: str) -> BestEntry | None:
    """Recompute one user's best entry on one challenge and device class, and their total."""
    get_user_model().objects.select_for_update().filter(pk=user_id).first()  # one refresh per user at a time
    rows = list(
        counted_results()
        .filter(submission__user_id=user_id, submission__challenge_version__challenge_id=challenge_id, submission__device_class=device_class)
        .values(*ROW_FIELDS)
    )
    key = {"user_id": user_id, "challenge_id": challenge_id, "device_class": device_class}
    if not rows:
        BestEntry.objects.filter(**key).delete()
        entry = None
    else:
        entry, _ = BestEntry.objects.update_or_create(**key, defaults=_entry_fields(min(rows, key=_sort_key)))
    user_total_refresh(user_id=user_id, device_class=device_class)
    return entry


def user_total_refresh(*, user_id: int, device_class: str) -> UserTotal | None:
    totals = BestEntry.objects.filter(user_id=user_id, device_class=device_class).aggregate(
        total=Sum("score"), n=Count("id"), last=Max("submitted_at")
    )
    if not totals["n"]:
        UserTotal.objects.filter(user_id=user_id, device_class=device_class).delete()
        return None
    total, _ = UserTotal.objects.update_or_create(
        user_id=user_id, device_class=device_class,
        defaults={"total_score": totals["total"], "challenges": totals["n"], "last_improved_at": totals["last"]},
    )
    return total


@transaction.atomic
def leaderboards_rebuild() -> dict[str, int]:
    """Recompute every board from the results (after a bulk import, or to repair)."""
    best: dict[tuple, tuple[tuple, dict]] = {}  # (user, challenge, device class) -> (sort key, row)
    rows = counted_results().values(*ROW_FIELDS, "submission__user_id", "submission__challenge_version__challenge_id", "submission__device_class")
    for row in rows.iterator(chunk_size=REBUILD_BATCH):
        key = (row["submission__user_id"], row["submission__challenge_version__challenge_id"], row["submission__device_class"])
        sort_key = _sort_key(row)
        if key not in best or sort_key < best[key][0]:
            best[key] = (sort_key, row)
    BestEntry.objects.all().delete()
    UserTotal.objects.all().delete()
    BestEntry.objects.bulk_create(
        (BestEntry(user_id=u, challenge_id=c, device_class=d, **_entry_fields(row)) for (u, c, d), (_, row) in best.items()),
        batch_size=REBUILD_BATCH,
    )
    totals = BestEntry.objects.values("user_id", "device_class").annotate(total=Sum("score"), n=Count("id"), last=Max("submitted_at"))
    UserTotal.objects.bulk_create(
        (UserTotal(user_id=t["user_id"], device_class=t["device_class"], total_score=t["total"], challenges=t["n"], last_improved_at=t["last"]) for t in totals.iterator()),
        batch_size=REBUILD_BATCH,
    )
    return {"entries": len(best), "totals": UserTotal.objects.count()}
