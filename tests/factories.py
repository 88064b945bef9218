"""factory_boy factories, one for every model in platform/*/models.py (tests/platform/test_factories.py
checks that none is missing). Built rows are plain data: for a gradable challenge, use
`synced_challenge`, which goes through the real sync service and stores a real package."""
from __future__ import annotations

import datetime

import factory
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.authtoken.models import Token

from assessments.models import (Assessment, AssessmentItem, AssessmentSubmission, AuditEntry, CandidateInvitation, CandidateSession,
                                ItemWork, MemberInvite, Membership, Organisation)
from catalog.models import Challenge, ChallengeVersion, HintReveal
from contests.models import AuditEvent, Contest, ContestChallenge, ContestSubmission, Invitation, Participant, Verification
from drafts.models import Draft
from leaderboards.models import BestEntry, UserTotal
from ops.models import WorkerHealth
from reviews.models import CriterionMark, CriterionOverride, WrittenReview
from submissions.models import Result, Submission
from submissions.rules import result_solves
from webhooks.models import Webhook, WebhookDelivery
from workers.models import WorkerHeartbeat


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"challenge-{n}")
    title = factory.LazyAttribute(lambda c: c.slug.replace("-", " ").title())
    kind = "kernel"
    difficulty = "easy"
    tags = factory.LazyFunction(list)


class ChallengeVersionFactory(factory.django.DjangoModelFactory):
    """A version row; `current=True` (the default) also makes it the challenge's current version."""

    class Meta:
        model = ChallengeVersion
        skip_postgeneration_save = True

    challenge = factory.SubFactory(ChallengeFactory)
    number = factory.Sequence(lambda n: n + 1)
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    spec = factory.LazyAttribute(lambda v: {"slug": v.challenge.slug, "kind": v.challenge.kind, "entry": {"file": "solution.py"}})
    statement_md = "# A challenge\n"
    statement_html = "<h1>A challenge</h1>\n"
    editorial_md = "The editorial.\n"
    starter_files = factory.LazyFunction(lambda: {"solution.py": "def solve():\n    pass\n"})
    entry_file = "solution.py"
    device_kinds = factory.LazyFunction(lambda: ["cpu"])
    package_archive = b""
    source_path = "challenges/example"

    @factory.post_generation
    def current(self, create, extracted, **kwargs):
        if extracted is False:
            return
        self.challenge.current_version = self
        if create:
            self.challenge.save(update_fields=["current_version"])


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    user = factory.SubFactory(UserFactory)
    challenge_version = factory.SubFactory(ChallengeVersionFactory)
    files = factory.LazyFunction(lambda: {"solution.py": "def solve():\n    return 1\n"})
    status = Submission.Status.GRADED


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    submission = factory.SubFactory(SubmissionFactory)
    verdict = "accepted"
    score = 40.0
    message = ""
    checks = factory.LazyFunction(lambda: [{"name": "correctness", "status": "pass", "detail": ""}])
    metrics = factory.LazyFunction(lambda: {"speedup": 1.0, "latency_ms": None})
    # what submission_record_result stores: the one "solved" rule, applied to the row's own data
    solved = factory.LazyAttribute(lambda r: result_solves(verdict=r.verdict, metrics=r.metrics))


class WrittenReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WrittenReview

    submission = factory.SubFactory(SubmissionFactory)
    rubric_max = 10.0
    grader_score = 5.0
    final_score = factory.SelfAttribute("grader_score")
    uncertainty = 0.2
    status = WrittenReview.Status.PENDING


class CriterionMarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionMark

    review = factory.SubFactory(WrittenReviewFactory)
    position = factory.Sequence(int)
    criterion_id = factory.Sequence(lambda n: f"criterion_{n}")
    max_points = 2.0
    grader_points = 1.0
    confidence = 0.8
    final_points = factory.SelfAttribute("grader_points")


class CriterionOverrideFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CriterionOverride

    mark = factory.SubFactory(CriterionMarkFactory)
    reviewer = factory.SubFactory(UserFactory, is_staff=True)
    previous_points = factory.SelfAttribute("mark.grader_points")
    points = 2.0
    reason = "the answer names it in its second paragraph"


# -- leaderboards and contests (issue 12) --
class BestEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BestEntry

    submission = factory.SubFactory(SubmissionFactory)
    user = factory.SelfAttribute("submission.user")
    challenge = factory.SelfAttribute("submission.challenge_version.challenge")
    device_class = "cpu"
    score = 40.0
    speedup = 1.0
    rank_speedup = factory.SelfAttribute("speedup")
    submitted_at = factory.LazyFunction(timezone.now)

class UserTotalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserTotal

    user = factory.SubFactory(UserFactory)
    device_class = "cpu"
    total_score = 40.0
    challenges = 1
    last_improved_at = factory.LazyFunction(timezone.now)

class ContestFactory(factory.django.DjangoModelFactory):
    """Running now: started an hour ago, ends in an hour."""

    class Meta:
        model = Contest

    slug = factory.Sequence(lambda n: f"contest-{n}")
    title = factory.LazyAttribute(lambda c: c.slug.replace("-", " ").title())
    rules_md = "Best score wins.\n"
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    ends_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=1))

class ContestChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContestChallenge

    contest = factory.SubFactory(ContestFactory)
    challenge = factory.SubFactory(ChallengeFactory)

class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    contest = factory.SubFactory(ContestFactory)
    user = factory.SubFactory(UserFactory)

class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    contest = factory.SubFactory(ContestFactory)
    user = factory.SubFactory(UserFactory)

class ContestSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContestSubmission

    contest = factory.SubFactory(ContestFactory)
    submission = factory.SubFactory(SubmissionFactory)
    user = factory.SelfAttribute("submission.user")
    challenge = factory.SelfAttribute("submission.challenge_version.challenge")
    created_at = factory.LazyFunction(timezone.now)

class VerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verification

    entry = factory.SubFactory(ContestSubmissionFactory)
    status = Verification.Status.REPRODUCED
    verdict = "accepted"
    score = 40.0

class AuditEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEvent

    contest = factory.SubFactory(ContestFactory)
    action = AuditEvent.Action.PUBLISH
    reason = "standings published"



class WorkerHeartbeatFactory(factory.django.DjangoModelFactory):
    """A worker seen just now: its device class is live (workers.selectors.live_device_classes)."""

    class Meta:
        model = WorkerHeartbeat
        django_get_or_create = ("hostname", "device_class")

    hostname = factory.Sequence(lambda n: f"celery@worker-{n}")
    device_class = "cpu"
    gpu_model = factory.LazyAttribute(lambda w: "" if w.device_class == "cpu" else f"NVIDIA {w.device_class.upper()}")
    free_slots = 1
    last_seen = factory.LazyFunction(timezone.now)


class WorkerHealthFactory(factory.django.DjangoModelFactory):
    """A worker's health report just now (ops.models); `gpus` empty: a CPU worker."""

    class Meta:
        model = WorkerHealth
        django_get_or_create = ("hostname",)

    hostname = factory.Sequence(lambda n: f"celery@health-{n}")
    device_classes = factory.LazyFunction(lambda: ["cpu"])
    slots = 1
    free_slots = 1
    gpus = factory.LazyFunction(list)
    seen_at = factory.LazyFunction(timezone.now)


class WebhookFactory(factory.django.DjangoModelFactory):
    """A user's token with a webhook URL (nothing listens there unless a test starts a server)."""

    class Meta:
        model = Webhook

    token = factory.LazyFunction(lambda: Token.objects.create(user=UserFactory()))
    url = "http://127.0.0.1:9/hook"


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    webhook = factory.SubFactory(WebhookFactory)
    submission = factory.SubFactory(SubmissionFactory)
    payload = factory.LazyFunction(lambda: {"event": "submission.graded"})


class HintRevealFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HintReveal

    user = factory.SubFactory(UserFactory)
    challenge = factory.SubFactory(ChallengeFactory)
    index = 0


class DraftFactory(factory.django.DjangoModelFactory):
    """A user's editor draft of a challenge (drafts.models)."""

    class Meta:
        model = Draft

    user = factory.SubFactory(UserFactory)
    challenge = factory.SubFactory(ChallengeFactory)
    files = factory.LazyFunction(lambda: {"solution.py": "def add(a, b):\n    return a + b\n"})


# -- assessments (issue 13) --
class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"org-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.title())


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = "recruiter"


class MemberInviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MemberInvite

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"member{n}@example.com")
    role = "reviewer"
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Assessment {n}")
    instructions_md = "Do your best.\n"
    time_limit_minutes = 60


class AssessmentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentItem

    assessment = factory.SubFactory(AssessmentFactory)
    challenge_version = factory.SubFactory(ChallengeVersionFactory)
    position = factory.Sequence(int)
    weight = 1.0


class CandidateInvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateInvitation

    assessment = factory.SubFactory(AssessmentFactory)
    email = factory.Sequence(lambda n: f"candidate{n}@example.com")
    name = factory.Sequence(lambda n: f"Candidate {n}")
    sent_at = factory.LazyFunction(timezone.now)
    send_count = 1
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


class CandidateSessionFactory(factory.django.DjangoModelFactory):
    """Started just now, with the assessment's time limit ahead."""

    class Meta:
        model = CandidateSession

    invitation = factory.SubFactory(CandidateInvitationFactory)
    candidate = factory.SubFactory(UserFactory, is_active=False)
    consent_at = factory.LazyFunction(timezone.now)
    started_at = factory.SelfAttribute("consent_at")
    deadline = factory.LazyAttribute(lambda s: s.started_at + datetime.timedelta(minutes=s.invitation.assessment.time_limit_minutes))


class ItemWorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemWork

    session = factory.SubFactory(CandidateSessionFactory)
    item = factory.SubFactory(AssessmentItemFactory, assessment=factory.SelfAttribute("..session.invitation.assessment"))
    files = factory.LazyFunction(lambda: {"solution.py": "def solve():\n    return 1\n"})
    saved_at = factory.LazyFunction(timezone.now)


class AssessmentSubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentSubmission

    work = factory.SubFactory(ItemWorkFactory)
    submission = factory.SubFactory(SubmissionFactory, user=factory.SelfAttribute("..work.session.candidate"),
                                    challenge_version=factory.SelfAttribute("..work.item.challenge_version"))


class AuditEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditEntry

    organisation = factory.SubFactory(OrganisationFactory)
    action = "invitation.create"
    target = "candidate@example.com"


def synced_challenge(slug: str = "vector-add", root=None):
    """A challenge with one version, loaded from a package through the real sync service."""
    from catalog.services import challenge_version_sync
    from graders.spec import load_spec
    from tests.conftest import FIXTURE_CHALLENGES

    challenge_version_sync(spec=load_spec((root or FIXTURE_CHALLENGES) / slug))
    return Challenge.objects.get(slug=slug)
