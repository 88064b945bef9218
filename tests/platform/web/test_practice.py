"""Practice pages: the filtered catalog with solved markers, hints one at a time, the history of
attempts with a diff, the profile's progress per topic, the editorial once solved, and the
result page for written answers (awaiting review, descriptions, the reviewer's reason)."""
import pytest
from django.urls import reverse

from catalog.models import HintReveal
from submissions.models import Submission
from tests.factories import ChallengeFactory, ChallengeVersionFactory, ResultFactory, SubmissionFactory, UserFactory, WorkerHeartbeatFactory
from workers.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db
HINTS = "# Hints\n\n1. First, look at the bytes.\n2. Then at the launches.\n   Count them.\n3. Finally, fuse.\n"


@pytest.fixture
def catalog_rows():
    kernel = ChallengeVersionFactory(challenge=ChallengeFactory(slug="fast-kernel", difficulty="hard", tags=["cuda", "triton"]),
                                     device_kinds=["cpu", "cuda"], hints_md=HINTS)
    easy = ChallengeVersionFactory(challenge=ChallengeFactory(slug="warm-up", difficulty="easy", tags=["warm-up"]), device_kinds=["cpu"])
    essay = ChallengeVersionFactory(challenge=ChallengeFactory(slug="essay", kind="written", difficulty="medium", tags=["debugging"]),
                                    device_kinds=[])
    return {"kernel": kernel.challenge, "easy": easy.challenge, "essay": essay.challenge}


def slugs(response) -> list[str]:
    return [c.slug for c in response.context["challenges"]]


def test_the_catalog_filters_by_topic_difficulty_and_device(client, catalog_rows):
    assert slugs(client.get(reverse("catalog"))) == ["warm-up", "fast-kernel", "essay"]
    assert slugs(client.get(reverse("catalog"), {"tag": "triton"})) == ["fast-kernel"]
    assert slugs(client.get(reverse("catalog"), {"difficulty": "easy"})) == ["warm-up"]
    assert slugs(client.get(reverse("catalog"), {"device": "cuda"})) == ["fast-kernel", "essay"]  # a written answer needs no device
    both = client.get(reverse("catalog"), {"device": "cpu", "difficulty": "hard"})
    assert slugs(both) == ["fast-kernel"] and 'id="clear-filters"' in both.content.decode()
    assert 'id="clear-filters"' not in client.get(reverse("catalog")).content.decode()


def test_an_unknown_filter_value_is_reported_and_ignored(client, catalog_rows):
    response = client.get(reverse("catalog"), {"tag": "nope\x00", "difficulty": "easy"})
    assert response.status_code == 200 and slugs(response) == ["warm-up"]
    assert "Select a valid choice" in response.content.decode()


def test_the_catalog_marks_solved_challenges(client, catalog_rows, user):
    ResultFactory(submission__user=user, submission__challenge_version=catalog_rows["kernel"].current_version, metrics={"speedup": 1.1, "tier": 1})
    ResultFactory(submission__user=user, submission__challenge_version=catalog_rows["easy"].current_version, metrics={"speedup": 0.2, "tier": 0})
    client.force_login(user)
    response = client.get(reverse("catalog"))
    assert response.context["solved_ids"] == {catalog_rows["kernel"].pk}
    assert response.content.decode().count("✓ solved") == 1


def test_hints_are_revealed_one_at_a_time_and_each_reveal_is_recorded(client, catalog_rows, user):
    url = reverse("challenge_hints", args=["fast-kernel"])
    anonymous = client.get(url).content.decode()
    assert "0 of 3 hints shown" in anonymous and "First, look" not in anonymous and "Log in" in anonymous
    assert client.post(reverse("challenge_hint_reveal", args=["fast-kernel"])).status_code == 302  # to the log-in page
    assert not HintReveal.objects.exists()
    client.force_login(user)
    response = client.post(reverse("challenge_hint_reveal", args=["fast-kernel"]))
    assert response.status_code == 302 and response["Location"].endswith("#hint-1")
    page = client.get(url).content.decode()
    assert "First, look at the bytes." in page and "Then at the launches" not in page and "Reveal hint 2 of 3" in page
    for _ in range(2):
        client.post(reverse("challenge_hint_reveal", args=["fast-kernel"]))
    page = client.get(url).content.decode()
    assert "Count them." in page and "Finally, fuse." in page and "That was the last hint." in page
    assert list(HintReveal.objects.filter(user=user).values_list("index", flat=True)) == [0, 1, 2]
    extra = client.post(reverse("challenge_hint_reveal", args=["fast-kernel"]), follow=True)  # one too many: a message, no row
    assert HintReveal.objects.filter(user=user).count() == 3
    assert "All 3 hints are already shown." in extra.content.decode()
    assert client.get(reverse("challenge_hint_reveal", args=["fast-kernel"])).status_code == 405


def test_another_users_reveals_are_their_own(client, catalog_rows, user):
    HintReveal.objects.create(user=UserFactory(), challenge=catalog_rows["kernel"], index=0)
    client.force_login(user)
    assert "0 of 3 hints shown" in client.get(reverse("challenge_hints", args=["fast-kernel"])).content.decode()


def test_the_history_lists_every_attempt_and_diffs_two(client, catalog_rows, user):
    version = catalog_rows["kernel"].current_version
    old = ResultFactory(submission__user=user, submission__challenge_version=version, verdict="wrong_answer",
                        submission__files={"solution.py": "def add(a, b):\n    return a * b\n"}, metrics={"speedup": None, "tier": None}).submission
    new = ResultFactory(submission__user=user, submission__challenge_version=version,
                        submission__files={"solution.py": "def add(a, b):\n    return a + b\n", "util.py": "X = 1\n"},
                        metrics={"speedup": 1.234, "speedup_ci": [1.2, 1.3], "tier": 2}).submission
    SubmissionFactory(challenge_version=version)  # someone else's
    client.force_login(user)
    page = client.get(reverse("challenge_history", args=["fast-kernel"]))
    assert [s.pk for s in page.context["attempts"]] == [new.pk, old.pk]
    text = page.content.decode()
    assert "wrong answer" in text and "1.234×" in text and "(1.200–1.300)" in text
    diff = client.get(reverse("challenge_diff", args=["fast-kernel"]), {"a": old.pk, "b": new.pk})
    files = {f["name"]: f for f in diff.context["files"]}
    assert files["util.py"]["status"] == "added" and files["solution.py"]["status"] == "changed"
    lines = [line["text"] for line in files["solution.py"]["lines"]]
    assert "-    return a * b" in lines and "+    return a + b" in lines
    assert 'data-file="solution.py"' in diff.content.decode()


@pytest.mark.parametrize("params", [{"a": "not-a-uuid", "b": "x"}, {}, {"a": "00000000-0000-0000-0000-000000000000", "b": "00000000-0000-0000-0000-000000000001"}])
def test_a_bad_diff_request_says_so(client, catalog_rows, user, params):
    client.force_login(user)
    response = client.get(reverse("challenge_diff", args=["fast-kernel"]), params, follow=True)
    assert response.status_code == 200 and "Choose two of your attempts" in response.content.decode()


def test_someone_elses_attempt_cannot_be_diffed(client, catalog_rows, user):
    version = catalog_rows["kernel"].current_version
    mine, theirs = SubmissionFactory(user=user, challenge_version=version), SubmissionFactory(challenge_version=version)
    client.force_login(user)
    response = client.get(reverse("challenge_diff", args=["fast-kernel"]), {"a": mine.pk, "b": theirs.pk}, follow=True)
    assert "Choose two of your attempts" in response.content.decode() and "files" not in response.context


def test_the_profile_shows_progress_per_topic(client, catalog_rows, user):
    ResultFactory(submission__user=user, submission__challenge_version=catalog_rows["kernel"].current_version, metrics={"tier": 1})
    client.force_login(user)
    response = client.get(reverse("profile"))
    rows = {r["topic"]: (r["solved"], r["total"]) for r in response.context["progress"]}
    assert rows == {"cuda": (1, 1), "triton": (1, 1), "warm-up": (0, 1), "debugging": (0, 1)}
    assert 'id="solved-count">1<' in response.content.decode()
    client.logout()
    assert client.get(reverse("profile")).status_code == 302


def test_the_editorial_opens_at_the_first_tier_not_at_a_correct_answer(client, catalog_rows, user):
    version = catalog_rows["kernel"].current_version
    ResultFactory(submission__user=user, submission__challenge_version=version, metrics={"speedup": 0.3, "tier": 0})
    client.force_login(user)
    assert 'id="editorial-link"' not in client.get(reverse("challenge", args=["fast-kernel"])).content.decode()
    assert client.get(reverse("challenge_editorial", args=["fast-kernel"])).status_code == 302
    ResultFactory(submission__user=user, submission__challenge_version=version, metrics={"speedup": 0.9, "tier": 1})
    page = client.get(reverse("challenge", args=["fast-kernel"])).content.decode()
    assert 'id="editorial-link"' in page and 'id="solved-marker"' in page
    assert "The editorial." in client.get(reverse("challenge_editorial", args=["fast-kernel"])).content.decode()


def test_the_challenge_page_offers_the_live_classes_it_can_run_on(client, catalog_rows, user):
    WorkerHeartbeatFactory(device_class="h100", free_slots=2)
    client.force_login(user)
    kernel = client.get(reverse("challenge", args=["fast-kernel"]))
    assert [r["name"] for r in kernel.context["device_classes"]] == ["cpu", "h100"]
    assert "h100 (NVIDIA H100, 2 free of 1 worker)" in kernel.content.decode()
    assert [r["name"] for r in client.get(reverse("challenge", args=["warm-up"])).context["device_classes"]] == ["cpu"]


def test_submitting_to_a_class_with_no_live_worker_shows_the_reason(client, catalog_rows, user):
    client.force_login(user)
    response = client.post(reverse("challenge", args=["fast-kernel"]), {"code": "def add(a, b):\n    return a + b\n", "device_class": "h100"})
    assert response.status_code == 200
    assert "No worker for device class h100 is online" in response.content.decode()
    WorkerHeartbeat.objects.all().delete()
    page = client.get(reverse("challenge", args=["fast-kernel"])).content.decode()
    assert 'id="no-worker"' in page
    assert not Submission.objects.exists()


def test_a_written_answer_awaiting_review_shows_no_verdict(client, user):
    criteria = [{"id": "baseline", "points": 1, "max": 2, "description": "Compare before/after metrics.", "evidence": "nvidia-smi",
                 "overridden": True, "grader_points": 0, "override_reason": "Names utilisation before and after."}]
    result = ResultFactory(submission__user=user, verdict="wrong_answer", score=0.0, message="1 of 10 rubric points (awaiting review)",
                           metrics={"rubric": {"score": 1, "max": 10, "needs_review": True, "pass_mark": 60, "criteria": criteria}})
    client.force_login(user)
    text = client.get(reverse("submission", args=[result.submission_id])).content.decode()
    assert 'id="verdict">awaiting review<' in text and "wrong answer" not in text.lower().replace("wrong_answer", "")
    assert "Compare before/after metrics." in text and "Reviewer: Names utilisation before and after." in text
    assert "Pass mark: 60%" in text
    assert "awaiting review" in client.get(reverse("submissions")).content.decode()
