"""The challenge page's editor without JavaScript: a textarea per file inside data-file="NAME",
all posted; the two multi-file seed challenges grade from the web form as from the CLI; "edit and
resubmit" opens a submission's files; a written answer shows its word count."""
import pytest
from django.urls import reverse

from drafts.models import Draft
from submissions.models import Submission
from tests.conftest import REPO_ROOT
from tests.factories import SubmissionFactory, UserFactory, synced_challenge

pytestmark = pytest.mark.django_db(transaction=True)


def _starter_post(version) -> dict:
    files = version.starter_files
    return {"code": files[version.entry_file], **{f"file:{name}": text for name, text in files.items() if name != version.entry_file}}


@pytest.mark.slow
@pytest.mark.parametrize("slug", ["resnet50-latency", "inference-server-throughput"])
def test_a_multi_file_starter_submitted_from_the_form_grades_like_the_cli(client, user, eager_grading, slug):
    challenge = synced_challenge(slug, root=REPO_ROOT / "challenges")
    version = challenge.current_version
    client.force_login(user)
    response = client.post(reverse("challenge", args=[slug]), _starter_post(version))
    assert response.status_code == 302, response.content.decode()[:2000]
    submission = Submission.objects.get(user=user)
    assert submission.files == version.starter_files
    assert submission.status == "graded", submission.error
    assert submission.result.verdict == "accepted", (submission.result.message, submission.result.log[-2000:])
    assert "No module named" not in submission.result.log


@pytest.mark.django_db(transaction=False)  # the grading is never queued (no commit): the files are tested here, not the grading
def test_every_posted_file_is_submitted_and_becomes_the_draft(client, user):
    resnet = synced_challenge("resnet50-latency", root=REPO_ROOT / "challenges")
    client.force_login(user)
    files = {"code": "def predict(frame, resolution, width):\r\n    return frame\r\n", "file:model.py": "MEAN = STD = 0\n"}
    assert client.post(reverse("challenge", args=["resnet50-latency"]), files).status_code == 302
    expected = {"solution.py": "def predict(frame, resolution, width):\n    return frame\n", "model.py": "MEAN = STD = 0\n"}
    assert Submission.objects.get().files == expected  # line ends as the editor and the CLI have them
    assert Draft.objects.get(user=user, challenge=resnet).files == expected


@pytest.mark.parametrize("post, message", [
    ({"code": "x", "file:helper.py": "y"}, "Unexpected file &#x27;helper.py&#x27;"),
    ({"file:model.py": "y"}, "Paste your code or upload a file"),
    ({"code": "x", "file:model.py": "y" * ((1 << 20) + 1)}, "model.py is larger than 1024 KiB"),
    ({"code": "x", "file:../model.py": "y"}, "not allowed"),
])
def test_bad_file_sets_are_refused_and_drawn_back_as_sent(client, user, post, message):
    synced_challenge("resnet50-latency", root=REPO_ROOT / "challenges")
    client.force_login(user)
    response = client.post(reverse("challenge", args=["resnet50-latency"]), post)
    text = response.content.decode()
    assert response.status_code == 200 and message in text
    assert not Submission.objects.exists()
    if "code" in post:
        assert 'name="code"' in text and f">\n{post['code']}</textarea>" in text  # what was typed is kept


def test_the_page_carries_the_editor_and_its_limits(client, user, vector_add):
    client.force_login(user)
    text = client.get(reverse("challenge", args=["vector-add"])).content.decode()
    assert 'data-file="solution.py"' in text and "web/editor.bundle.js" in text and "data-editor" in text
    assert 'data-draft-url="/drafts/challenges/vector-add/"' in text and 'name="upload"' in text and "webkitdirectory" in text
    assert "at most 16 files" in text


def test_edit_and_resubmit_opens_the_submission_s_files(client, user, vector_add):
    client.force_login(user)
    Draft.objects.create(user=user, challenge=vector_add, files={"solution.py": "the draft"})
    old = SubmissionFactory(user=user, challenge_version=vector_add.current_version, files={"solution.py": "def add(a, b):\n    return b + a  # old\n"})
    result_page = client.get(reverse("submission", args=[old.pk])).content.decode()
    link = f'href="/challenges/vector-add/?from={old.pk}"'
    assert 'class="resubmit"' in result_page and link in result_page

    opened = client.get(f"/challenges/vector-add/?from={old.pk}").content.decode()
    assert "return b + a  # old" in opened and "the draft" not in opened and "Editing the files of submission" in opened
    assert Draft.objects.get(user=user).files == {"solution.py": "the draft"}  # opening changes nothing until edited
    assert "the draft" in client.get("/challenges/vector-add/").content.decode()


@pytest.mark.parametrize("spoiled", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_resubmit_from_a_bad_or_foreign_id_opens_the_draft_or_starter(client, user, vector_add, spoiled):
    client.force_login(user)
    theirs = SubmissionFactory(user=UserFactory(), challenge_version=vector_add.current_version, files={"solution.py": "their secret"})
    for ref in (spoiled, theirs.pk):
        page = client.get(f"/challenges/vector-add/?from={ref}")
        assert page.status_code == 200 and "their secret" not in page.content.decode()


def test_a_written_answer_shows_its_word_count(client, user):
    written = synced_challenge("debug-regression", root=REPO_ROOT / "challenges")
    client.force_login(user)
    Draft.objects.create(user=user, challenge=written, files={"answer.md": "Bisect the diff first; then nvidia-smi. It's the driver's fault."})
    text = client.get(reverse("challenge", args=["debug-regression"])).content.decode()
    assert 'data-mode="prose"' in text and 'class="word-count muted"' in text and ">10 words<" in text
