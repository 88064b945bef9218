"""The site's main pages, each with real rows behind it, for the checks that walk every page
(test_narrow_viewport.py, test_assets_local.py). `site_pages()` builds the rows with the
factories, grades one vector-add submission for real (eager Celery: the result page shows what
a grading writes) and returns the pages with the user who sees each (None: anonymous)."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.urls import reverse

from tests.conftest import REPO_ROOT
from tests.factories import (ContestChallengeFactory, ContestFactory, MembershipFactory, ResultFactory, SubmissionFactory, UserFactory,
                             synced_challenge)
from tests.platform.assessments import world

# A written answer's graded result as the rubric grader writes it (DESIGN "score_answer").
RUBRIC = {"score": 6.5, "max": 10, "needs_review": False, "pass_mark": 60, "flags": [],
          "criteria": [{"id": "memory_bound", "points": 3, "max": 3, "confidence": 0.91, "kind": "criterion", "min": 0,
                        "description": "Names the memory-bandwidth limit as the reason throughput flattens",
                        "evidence": "Past batch 32 every step reads the weights again, so the GPU waits on HBM bandwidth."},
                       {"id": "measure", "points": 0, "max": 4, "confidence": 0.6, "kind": "criterion", "min": 0,
                        "description": "Proposes a measurement that would confirm it", "evidence": None}]}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: User | None = None


def graded_vector_add(user: User):
    """One real grading (eager Celery must be on): the result page and the boards show its rows."""
    from submissions.services import submission_create

    submission = submission_create(user=user, challenge=synced_challenge("vector-add"), files={"solution.py": "def add(a, b):\n    return a + b\n"})
    submission.refresh_from_db()
    assert submission.status == "graded", submission.error
    return submission


def written_result(user: User):
    challenge = synced_challenge("batch-scaling", root=REPO_ROOT / "challenges")
    submission = SubmissionFactory(user=user, challenge_version=challenge.current_version,
                                   files={"answer.md": "Past batch 32 every step reads the weights again, so the GPU waits on HBM bandwidth."})
    ResultFactory(submission=submission, verdict="accepted", score=65.0, checks=[{"name": "rubric", "status": "pass", "detail": "6.5 / 10"}],
                  metrics={"rubric": RUBRIC, "speedup": None, "latency_ms": None})
    return submission


def _candidate_pages(recruiter: User) -> list[Page]:
    org = MembershipFactory(user=recruiter, role="recruiter").organisation
    built = world.build(org)
    session, invitation = built["sessions"][0], built["pending_invitation"]
    code_item = built["items"][0]
    return [
        Page("orgs", reverse("assessments:orgs"), recruiter),
        Page("organisation", reverse("assessments:org", args=[org.slug]), recruiter),
        Page("assessment builder", reverse("assessments:assessment_new", args=[org.slug]), recruiter),
        Page("assessment", reverse("assessments:assessment", args=[built["assessment"].pk]), recruiter),
        Page("report", reverse("assessments:report", args=[session.pk]), recruiter),
        Page("candidate start", reverse("assessments:candidate", args=[invitation.token])),
        Page("candidate item", reverse("assessments:candidate_item", args=[session.invitation.token, code_item.pk])),
    ]


def site_pages() -> list[Page]:
    """Every main page, with the rows each needs. Needs the database and eager grading."""
    candidate, recruiter = UserFactory(username="candidate-on-a-phone"), UserFactory(username="recruiter-on-a-phone")
    synced_challenge("resnet50-latency", root=REPO_ROOT / "challenges")
    result, written = graded_vector_add(candidate), written_result(candidate)
    contest = ContestFactory(slug="spring-sprint", title="Spring sprint")
    ContestChallengeFactory(contest=contest, challenge=result.challenge_version.challenge)
    return [
        Page("catalog", reverse("catalog")),
        Page("catalog logged in", reverse("catalog"), candidate),
        Page("challenge", reverse("challenge", args=["vector-add"]), candidate),
        Page("challenge two files", reverse("challenge", args=["resnet50-latency"]), candidate),
        Page("written challenge", reverse("challenge", args=["batch-scaling"]), candidate),
        Page("challenge anonymous", reverse("challenge", args=["resnet50-latency"])),
        Page("hints", reverse("challenge_hints", args=["resnet50-latency"]), candidate),
        Page("history", reverse("challenge_history", args=["vector-add"]), candidate),
        Page("result", reverse("submission", args=[result.pk]), candidate),
        Page("written result", reverse("submission", args=[written.pk]), candidate),
        Page("my submissions", reverse("submissions"), candidate),
        Page("profile", reverse("profile"), candidate),
        Page("login", reverse("login")),
        Page("signup", reverse("signup")),
        Page("leaderboards", reverse("leaderboard_global")),
        Page("challenge leaderboard", reverse("leaderboard", args=["vector-add"])),
        Page("leaderboard entry", reverse("leaderboard_entry", args=[result.pk]), candidate),
        Page("contests", reverse("contests")),
        Page("contest", reverse("contest", args=[contest.slug]), candidate),
        *_candidate_pages(recruiter),
        Page("api docs", "/api/docs/"),
        Page("not found", "/no/such/page/"),
        Page("not found logged in", "/challenges/no-such-challenge/", candidate),
    ]
