"""Demo organisations for `manage.py seed_demo`: acme and globex, each with an owner, a recruiter
and a reviewer, an assessment (a CPU code challenge and a written question), candidates whose
work was really graded (the grading pipeline, small CPU sizes, run inline: seed_demo runs before
any worker), and one invitation still waiting. Idempotent: a second run finds everything and grades
nothing."""
from __future__ import annotations

import datetime
import json
import logging
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assessments.models import (Assessment, AssessmentItem, AssessmentSubmission, CandidateInvitation, CandidateSession, ItemWork,
                                Membership, Organisation, Role)
from catalog.models import Challenge
from submissions.models import Submission
from graders.result import GradeResult
from submissions.services import submission_grade, submission_record_result

logger = logging.getLogger(__name__)

ORGS = [
    {"slug": "acme", "name": "Acme Inference", "title": "Inference performance engineer",
     "items": [("launch-overhead", 3.0), ("debug-regression", 1.0)]},
    {"slug": "globex", "name": "Globex Training", "title": "Training efficiency engineer",
     "items": [("launch-overhead", 2.0), ("batch-scaling", 2.0)]},
]
ANSWERS = {
    "debug-regression": [
        "First I would reproduce the regression with a controlled benchmark and put the old and new versions side by side: "
        "nvidia-smi and the CPU usage for both. If GPU utilisation fell, I would trace the pipeline with Nsight Systems and look "
        "for gaps between kernels. Then bisect the deployment diff (code, config, library and driver versions), one hypothesis at a time, "
        "and verify the fix with the same benchmark.",
        "Probably the new GPU is slower. I would restart the servers and check the logs.",
    ],
    "batch-scaling": [
        "Throughput stops scaling once the GPU is saturated: profile with Nsight Systems to see whether host-to-device copies or "
        "kernel launch overhead dominate at small batches, then check whether a non-parallel op (a Python loop over the batch) "
        "serialises the work. Pin memory and overlap copies with compute, fuse small kernels or use CUDA graphs.",
        "Buy a bigger GPU with more memory.",
    ],
}


def demo_assessments_seed() -> list[dict]:
    """Create what is missing; return the log-ins, in the shape accounts.services.demo_seed uses."""
    logins = []
    graded: dict = {}  # identical files on the same version are graded once (acme and globex share a kernel)
    for spec in ORGS:
        logins += _org(spec, graded)
    return logins


@transaction.atomic
def _members(spec: dict) -> tuple[Organisation, list[dict], dict]:
    organisation, _ = Organisation.objects.get_or_create(slug=spec["slug"], defaults={"name": spec["name"]})
    logins, people = [], {}
    for role in Role.values:
        username, password = f"{spec['slug']}-{role}", f"hotpath-{spec['slug']}-{role}"
        user, made = get_user_model().objects.get_or_create(username=username, defaults={"email": f"{role}@{spec['slug']}.example"})
        if made:
            user.set_password(password)
            user.save()
        Membership.objects.get_or_create(organisation=organisation, user=user, defaults={"role": role})
        people[role] = user
        logins.append({"username": username, "password": password, "new": made, "staff": False, "role": f"{role} of {spec['slug']}"})
    return organisation, logins, people


def _org(spec: dict, graded: dict) -> list[dict]:
    organisation, logins, people = _members(spec)
    challenges = {c.slug: c for c in Challenge.objects.filter(slug__in=[slug for slug, _ in spec["items"]], current_version__isnull=False)}
    if len(challenges) < len(spec["items"]):
        logger.warning("seed_demo: sync_challenges first; %s has no assessment yet", spec["slug"])
        return logins
    assessment = _assessment(organisation, spec, challenges, people["recruiter"])
    for n, (name, quality) in enumerate([("Ada Lovelace", 0), ("Charles Babbage", 1)]):
        _candidate(assessment, name=name, email=f"{name.split()[0].lower()}@candidates.example", answer=quality,
                   minutes_ago=90 - 20 * n, graded=graded)
    CandidateInvitation.objects.get_or_create(assessment=assessment, email="grace@candidates.example",
                                              defaults={"name": "Grace Hopper", "sent_at": timezone.now(), "send_count": 1,
                                                        "expires_at": timezone.now() + datetime.timedelta(days=7)})
    return logins


@transaction.atomic
def _assessment(organisation, spec, challenges, recruiter) -> Assessment:
    assessment, made = Assessment.objects.get_or_create(organisation=organisation, title=spec["title"], defaults={
        "instructions_md": "Two items: a kernel to speed up and a written question. **40 minutes** from the start; "
                           "your work is saved as you type.", "time_limit_minutes": 40, "device_class": "cpu", "created_by": recruiter})
    if made:
        for position, (slug, weight) in enumerate(spec["items"]):
            AssessmentItem.objects.create(assessment=assessment, challenge_version=challenges[slug].current_version, position=position, weight=weight)
    return assessment


def _candidate(assessment: Assessment, *, name: str, email: str, answer: int, minutes_ago: int, graded: dict) -> None:
    """A finished session: the code (the reference for the first candidate, the starter for the
    second) and a written answer, each graded by submissions.services.submission_grade."""
    if CandidateInvitation.objects.filter(assessment=assessment, email=email).exists():
        return
    started = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    with transaction.atomic():
        invitation = CandidateInvitation.objects.create(assessment=assessment, email=email, name=name, sent_at=started, send_count=1,
                                                        opened_at=started, expires_at=started + datetime.timedelta(days=7))
        candidate = get_user_model().objects.create(username=f"candidate-{invitation.pk}-demo", email=email, is_active=False)
        session = CandidateSession.objects.create(invitation=invitation, candidate=candidate, consent_at=started, started_at=started,
                                                  deadline=started + datetime.timedelta(minutes=assessment.time_limit_minutes),
                                                  finished_at=started + datetime.timedelta(minutes=25 + 5 * answer))
        submissions = [_work(session, item, answer, started) for item in assessment.items.select_related("challenge_version__challenge")]
    for submission in submissions:
        key = (submission.challenge_version_id, json.dumps(submission.files, sort_keys=True))
        if key in graded:  # the same files were just graded: record that result (submission_record_result)
            submission_record_result(submission=submission, result=graded[key])
        else:
            done = submission_grade(submission_id=str(submission.pk))
            graded[key] = _as_grade_result(done.result)


def _as_grade_result(result) -> GradeResult:
    metrics = {k: v for k, v in result.metrics.items() if k != "rubric"}
    if "rubric" in result.metrics:  # the grader's own marks, not a published review
        metrics["rubric"] = {**result.metrics["rubric"], "score": result.metrics["rubric"].get("grader_score", result.metrics["rubric"].get("score"))}
    return GradeResult(verdict=result.verdict, score=result.score, message=result.message, flags=list(result.flags),
                       checks=list(result.checks), metrics=metrics, log=result.log)


def _work(session, item, answer: int, started) -> Submission:
    version = item.challenge_version
    slug = version.challenge.slug
    if slug in ANSWERS:
        text = ANSWERS[slug][answer]
    else:
        folder = Path(version.source_path) / ("reference" if answer == 0 else "starter")
        path = folder / version.entry_file
        text = path.read_text() if path.is_file() else version.starter_files.get(version.entry_file, "")
    files = {version.entry_file: text}
    work = ItemWork.objects.create(session=session, item=item, files=files, saved_at=started + datetime.timedelta(minutes=10 + item.position),
                                   seconds_spent=600 + 300 * item.position)
    submission = Submission.objects.create(user=session.candidate, challenge_version=version, files=files, device="cpu", device_class="cpu")
    link = AssessmentSubmission.objects.create(work=work, submission=submission)
    # submitted within the session's window, as a candidate would have (created_at is auto_now_add)
    Submission.objects.filter(pk=submission.pk).update(created_at=work.saved_at)
    AssessmentSubmission.objects.filter(pk=link.pk).update(created_at=work.saved_at)
    return submission
