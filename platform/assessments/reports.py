"""Reports a hiring manager can defend: per item the score and verdict, timings with their
confidence interval and flags, the profile summary, written answers with the rubric evidence and
every override (who, when, why), time spent, similarity; and the comparison of all candidates.
Plain data (dicts and lists) so the page, the printable page, CSV, JSON and the API share it."""
from __future__ import annotations

from catalog.selectors import ANSWER_KINDS
from assessments import similarity
from assessments.models import Assessment, CandidateSession
from assessments.rules import invitation_status, session_ended_at, session_is_open
from assessments.selectors import latest_submission, session_list, works_of

PROFILE_KEYS = ("kernel_count", "launches_per_call", "cpu_ops_per_call", "device_busy_us", "idle_fraction", "peak_memory_mb")


def candidate_report(*, session: CandidateSession, with_similarity: bool = True) -> dict:
    invitation = session.invitation
    assessment = invitation.assessment
    items = [_item_row(work) for work in works_of(session=session)]
    if with_similarity:
        flags = similarity_pairs(assessment=assessment)
        for row in items:
            row["similarity"] = [_similar_to(pair, session.pk) for pair in flags
                                 if pair["item_id"] == row["item_id"] and session.pk in (pair["a"], pair["b"])]
    weights = sum(row["weight"] for row in items) or 1.0
    weighted = sum(row["weight"] * row["score"] for row in items) / weights
    pending = [row for row in items if row["awaiting_review"] or row["grading"]]
    return {
        "session_id": session.pk, "invitation_id": invitation.pk, "candidate": invitation.label, "email": invitation.email,
        "assessment": {"id": assessment.pk, "title": assessment.title, "device_class": assessment.device_class,
                       "time_limit_minutes": assessment.time_limit_minutes},
        "status": invitation_status(invitation), "started_at": session.started_at, "deadline": session.deadline,
        "ended_at": session_ended_at(session), "open": session_is_open(session),
        "weighted_score": round(weighted, 2), "final": not pending and not session_is_open(session),
        "items": items,
    }


def _item_row(work) -> dict:
    item = work.item
    challenge = item.challenge_version.challenge
    submission = latest_submission(work)
    result = getattr(submission, "result", None) if submission is not None else None
    row = {
        "item_id": item.pk, "position": item.position, "challenge": challenge.slug, "title": challenge.title,
        "kind": challenge.kind, "version": item.challenge_version.number, "weight": item.weight,
        "written": challenge.kind in ANSWER_KINDS, "seconds_spent": work.seconds_spent, "saved_at": work.saved_at,
        "submission_id": str(submission.pk) if submission else None,
        "submitted_at": submission.created_at if submission else None,
        "automatic": bool(submission and next(iter(work.submissions.all())).automatic),
        "grading": bool(submission and result is None),
        "verdict": result.verdict if result else None, "display_verdict": result.display_verdict if result else "not submitted",
        "score": float(result.score) if result else 0.0, "awaiting_review": bool(result and result.awaiting_review),
        "message": result.message if result else "", "flags": list(result.flags or []) if result else [],
        "speedup": None, "speedup_ci": None, "latency_ms": None, "profile": None, "rubric": None, "similarity": [],
    }
    if result is not None:
        metrics = result.metrics or {}
        row.update(speedup=metrics.get("speedup"), speedup_ci=metrics.get("speedup_ci"), latency_ms=result.latency,
                   profile=_profile(metrics.get("profile")), rubric=_rubric(submission, metrics.get("rubric")))
    return row


def _profile(summary) -> dict | None:
    if not isinstance(summary, dict):
        return None
    kept = {key: summary[key] for key in PROFILE_KEYS if key in summary}
    top = summary.get("top_ops_by_self_cpu") or summary.get("top_kernels_by_device_time") or []
    kept["top"] = [op.get("name") if isinstance(op, dict) else str(op) for op in top[:3]]
    return kept


def _rubric(submission, rubric) -> dict | None:
    if not isinstance(rubric, dict):
        return None
    review = getattr(submission, "written_review", None)
    marks = {m.criterion_id: m for m in review.marks.prefetch_related("overrides__reviewer")} if review else {}
    criteria = []
    for criterion in rubric.get("criteria", []):
        mark = marks.get(criterion.get("id"))
        overrides = [{"reviewer": o.reviewer.username, "at": o.created_at, "from": o.previous_points, "to": o.points, "reason": o.reason}
                     for o in (mark.overrides.all() if mark else [])]
        criteria.append({"id": criterion.get("id"), "description": criterion.get("description") or (mark.label if mark else ""),
                         "points": criterion.get("points"), "max": criterion.get("max"), "confidence": criterion.get("confidence"),
                         "evidence": criterion.get("evidence"), "kind": criterion.get("kind", "criterion"),
                         "mark_id": mark.pk if mark else None, "overrides": overrides})
    return {"score": rubric.get("score"), "max": rubric.get("max"), "pass_mark": rubric.get("pass_mark"),
            "needs_review": bool(rubric.get("needs_review")), "review_id": review.pk if review else None,
            "review_status": review.status if review else None, "answer": next(iter(submission.files.values()), ""),
            "criteria": criteria}


def _similar_to(pair: dict, session_id: int) -> dict:
    mine_is_a = pair["a"] == session_id
    return {"other_session_id": pair["b"] if mine_is_a else pair["a"], "other": pair["label_b"] if mine_is_a else pair["label_a"],
            "score": pair["score"]}


def comparison(*, assessment: Assessment, sort: str = "-weighted_score") -> list[dict]:
    """One row per started session: the weighted score and each item's score, sorted by `sort`
    (weighted_score, candidate, started_at; a leading '-' for descending; anything else: by score)."""
    rows = []
    for session in session_list(assessment=assessment):
        report = candidate_report(session=session, with_similarity=False)
        rows.append({"session_id": session.pk, "candidate": report["candidate"], "email": report["email"],
                     "status": report["status"], "started_at": report["started_at"], "weighted_score": report["weighted_score"],
                     "final": report["final"], "scores": [item["score"] for item in report["items"]],
                     "verdicts": [item["display_verdict"] for item in report["items"]]})
    key = sort.lstrip("-")
    if key not in ("weighted_score", "candidate", "started_at"):
        key, sort = "weighted_score", "-weighted_score"
    rows.sort(key=lambda r: (r[key].lower() if isinstance(r[key], str) else r[key], r["session_id"]), reverse=sort.startswith("-"))
    return rows


def similarity_pairs(*, assessment: Assessment) -> list[dict]:
    """Pairs of sessions whose latest code for the same item shares at least similarity.THRESHOLD
    of its fingerprints: `item_id`, `a`, `b` (session ids), labels, `score`."""
    by_item: dict[int, list[tuple]] = {}
    for session in session_list(assessment=assessment):
        for work in works_of(session=session):
            submission = latest_submission(work)
            if submission is None or work.item.challenge_version.challenge.kind in ANSWER_KINDS:
                continue
            by_item.setdefault(work.item_id, []).append((session.pk, session.invitation.label, "\n".join(submission.files.values())))
    pairs = []
    for item_id, entries in by_item.items():
        for i, (sa, la, ta) in enumerate(entries):
            for sb, lb, tb in entries[i + 1:]:
                found = similarity.compare(ta, tb)
                if found["score"] >= similarity.THRESHOLD:
                    pairs.append({"item_id": item_id, "a": sa, "b": sb, "label_a": la, "label_b": lb, "score": found["score"]})
    return pairs


CSV_COLUMNS = ["candidate", "email", "status", "weighted_score", "final", "item", "weight", "verdict", "score", "speedup",
               "speedup_ci_low", "speedup_ci_high", "flags", "seconds_spent", "submitted_at", "similar_to"]


def csv_rows(*, report: dict) -> list[list]:
    rows = []
    for item in report["items"]:
        ci = item["speedup_ci"] or [None, None]
        rows.append([report["candidate"], report["email"], report["status"], report["weighted_score"], report["final"],
                     item["challenge"], item["weight"], item["display_verdict"], item["score"], item["speedup"], ci[0], ci[1],
                     " ".join(item["flags"]), item["seconds_spent"], item["submitted_at"].isoformat() if item["submitted_at"] else "",
                     " ".join(f"{s['other']}:{s['score']}" for s in item["similarity"])])
    return rows
