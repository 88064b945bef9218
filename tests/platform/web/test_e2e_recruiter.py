"""A recruiter in a real headless Chromium (docs/assessments.md): from the site's Hiring link to
their organisation, build an assessment of a code challenge and a written question, invite a
candidate, then (once the candidate's work is in: built with the factories, graded rows) compare
the candidates and read the report: each item's verdict, score and speedup with its CI, the
rubric's criteria with their evidence, and the weighted score.
Screenshots: var/screenshots/test_a_recruiter_*--<step>.png."""
import pytest
from django.core import mail
from django.utils import timezone

from assessments.models import Assessment, CandidateInvitation
from tests.conftest import REPO_ROOT
from tests.factories import (AssessmentSubmissionFactory, CandidateSessionFactory, ItemWorkFactory, MembershipFactory, ResultFactory,
                             SubmissionFactory, UserFactory, synced_challenge)
from tests.platform.assessments.conftest import rubric

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE_SCORE, WRITTEN_SCORE = 72.5, 70.0
WRITTEN_RUBRIC = {**rubric(needs_review=False), "score": 7.0}  # 70%: over its 60% pass mark
ANSWER = "Run nvidia-smi first to get a baseline. Bisect the diff. Confirm the fix with DCGM."
CODE_METRICS = {"speedup": 1.4, "speedup_ci": [1.3, 1.5], "tier": 1, "latency_ms": {"median": 0.2, "p10": 0.19, "p90": 0.22, "n": 40}}


def _build_assessment(browser, wait, screenshot) -> Assessment:
    from selenium.webdriver.common.by import By

    browser.find_element(By.LINK_TEXT, "Hiring").click()
    browser.find_element(By.LINK_TEXT, "Acme").click()
    browser.find_element(By.LINK_TEXT, "Build an assessment").click()
    for name, value in (("title", "Runtime engineer, round 1"), ("instructions_md", "Two items; take your time."),
                        ("weight_vector-add", "2"), ("weight_debug-regression", "1")):
        field = browser.find_element(By.NAME, name)
        assert browser.find_elements(By.CSS_SELECTOR, f'label[for="{field.get_attribute("id")}"]'), f"the builder's {name} has no label"
        field.clear()
        field.send_keys(value)
    limit = browser.find_element(By.NAME, "time_limit_minutes")
    limit.clear()
    limit.send_keys("45")
    screenshot("1-builder")
    browser.find_element(By.XPATH, "//button[text()='Create the assessment']").click()
    wait(lambda b: b.find_elements(By.ID, "invitations"), 20, "building did not open the assessment's page")
    return Assessment.objects.get(title="Runtime engineer, round 1")


def _invite(browser, wait, assessment) -> CandidateInvitation:
    from selenium.webdriver.common.by import By

    browser.find_element(By.NAME, "email").send_keys("grace@example.com")
    browser.find_element(By.NAME, "name").send_keys("Grace")
    browser.find_element(By.XPATH, "//button[text()='Send the link']").click()
    wait(lambda b: "grace@example.com" in b.find_element(By.ID, "invitations").text, 20, "the invitation is not listed")
    invitation = CandidateInvitation.objects.get(assessment=assessment)
    assert f"/assess/{invitation.token}/" in mail.outbox[-1].body
    return invitation


def _candidate_did_the_work(invitation) -> None:
    """Grace's finished session, one graded submission per item (what the candidate pages and the
    grading would have stored: their own tests walk that path)."""
    started = timezone.now() - timezone.timedelta(minutes=40)
    session = CandidateSessionFactory(invitation=invitation, candidate=UserFactory(is_active=False), consent_at=started,
                                      started_at=started, finished_at=timezone.now())
    for item in invitation.assessment.items.order_by("position"):
        written = item.challenge_version.challenge.kind == "written"
        files = {item.challenge_version.entry_file: ANSWER if written else "def add(a, b):\n    return a + b\n"}
        link = AssessmentSubmissionFactory(work=ItemWorkFactory(session=session, item=item, files=files), submission=SubmissionFactory(
            user=session.candidate, challenge_version=item.challenge_version, files=files))
        if written:
            ResultFactory(submission=link.submission, score=WRITTEN_SCORE, metrics={"rubric": WRITTEN_RUBRIC, "speedup": None})
        else:
            ResultFactory(submission=link.submission, score=CODE_SCORE, metrics=CODE_METRICS, flags=["noisy"])


def test_a_recruiter_builds_an_assessment_invites_and_reads_a_report(browser, screenshot, wait, log_in, live_server):
    from selenium.webdriver.common.by import By

    synced_challenge("vector-add")
    synced_challenge("debug-regression", root=REPO_ROOT / "challenges")
    recruiter = MembershipFactory(organisation__slug="acme", organisation__name="Acme", role="recruiter").user
    log_in(recruiter)
    browser.get(live_server.url + "/")
    assessment = _build_assessment(browser, wait, screenshot)
    assert sorted((i.challenge_version.challenge.slug, i.weight) for i in assessment.items.all()) == [("debug-regression", 1.0), ("vector-add", 2.0)]
    invitation = _invite(browser, wait, assessment)
    screenshot("2-invited")

    _candidate_did_the_work(invitation)
    browser.refresh()
    row = browser.find_element(By.CSS_SELECTOR, "#comparison tr[data-session]")
    weighted = (2 * CODE_SCORE + 1 * WRITTEN_SCORE) / 3  # docs/assessments.md: sum of w x score over sum of w
    assert "Grace" in row.text and f"{weighted:.1f}" in row.text, row.text
    row.find_element(By.LINK_TEXT, "report").click()
    wait(lambda b: b.find_elements(By.ID, "weighted-score"), 20, "the report did not open")
    screenshot("3-report")

    items = {s.find_element(By.TAG_NAME, "h2").text: s for s in browser.find_elements(By.CSS_SELECTOR, "section.item")}
    code = next(s for title, s in items.items() if "vector-add" in title)
    written = next(s for title, s in items.items() if "debug-regression" in title)
    assert browser.find_element(By.ID, "weighted-score").text == f"{weighted:.2f}"
    assert "72.5" in code.find_element(By.CSS_SELECTOR, ".score").text and "1.300–1.500" in code.text and "noisy" in code.text
    criteria = {r.get_attribute("data-criterion"): r.text for r in written.find_elements(By.CSS_SELECTOR, "tr[data-criterion]")}
    assert "Measures a baseline before changing anything" in criteria["baseline"] and "nvidia-smi first" in criteria["baseline"]
    assert ANSWER in written.find_element(By.CSS_SELECTOR, ".answer").text
    assert browser.find_element(By.ID, "final").is_displayed()
    browser.execute_script("arguments[0].scrollIntoView()", written)
    screenshot("4-written-item")
