"""seed_demo creates acme and globex with their members, an assessment each and really graded
candidates (the real grading pipeline on small CPU sizes), prints the log-ins, and a second run
changes nothing."""
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import AuditEntry, CandidateInvitation, CandidateSession, Membership, Organisation
from submissions.models import Result, Submission
from tests.conftest import REPO_ROOT
from tests.factories import synced_challenge

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_seed_demo_makes_two_organisations_with_graded_candidates_and_is_idempotent(monkeypatch):
    for slug in ("launch-overhead", "debug-regression", "batch-scaling"):
        synced_challenge(slug, root=REPO_ROOT / "challenges")
    import submissions.services

    real_grade, graded = submissions.services.grade, []

    def grade(job):  # one real code grading and one real written scoring; the rest copy them (CI time)
        kind = "written" if job.slug in ("debug-regression", "batch-scaling") else "code"
        if not any(k == kind for k, _ in graded):
            graded.append((kind, real_grade(job)))
        return next(result for k, result in graded if k == kind)

    monkeypatch.setattr(submissions.services, "grade", grade)
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    for slug in ("acme", "globex"):
        for role in ("owner", "recruiter", "reviewer"):
            assert f"created {slug}-{role} / hotpath-{slug}-{role} ({role} of {slug})" in text
        assert Membership.objects.filter(organisation__slug=slug).count() == 3
    assert set(Organisation.objects.values_list("slug", flat=True)) == {"acme", "globex"}
    assert CandidateSession.objects.count() == 4 and CandidateInvitation.objects.count() == 6
    assert Result.objects.count() == Submission.objects.count() == 8
    assert {kind for kind, _ in graded} == {"code", "written"}
    code = Result.objects.filter(submission__challenge_version__challenge__slug="launch-overhead").first()
    assert code.verdict == "accepted" and code.metrics.get("speedup"), code.message  # the reference, really graded

    counts = (Submission.objects.count(), CandidateSession.objects.count(), AuditEntry.objects.count(), Membership.objects.count())
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "created" not in again.getvalue() and "exists  acme-owner" in again.getvalue()
    assert (Submission.objects.count(), CandidateSession.objects.count(), AuditEntry.objects.count(), Membership.objects.count()) == counts
