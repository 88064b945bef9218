"""The editor in a real headless Chromium on a two-file challenge (resnet50-latency): CodeMirror
mounts in each file's data-file element with a tab per file; typing in both files autosaves the
draft; Ctrl-Enter submits both files, which grade as the CLI grades them; the next visit restores
the draft. Skips, saying why, where Chromium or its driver is missing (conftest.py)."""
import pytest

from drafts.models import Draft
from submissions.models import Submission
from tests.conftest import REPO_ROOT
from tests.factories import synced_challenge
from tests.platform.web.editing import file_text, focus_file, prepend_line, wait_for_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_in_both_files_autosave_and_submit_with_the_keyboard(browser, screenshot, wait, log_in, live_server, user, eager_grading):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    synced_challenge("resnet50-latency", root=REPO_ROOT / "challenges")
    log_in(user)
    browser.get(f"{live_server.url}/challenges/resnet50-latency/")
    wait_for_editor(browser, codemirror=True)
    tabs = [tab.text for tab in browser.find_elements(By.CSS_SELECTOR, "[data-tab-file]")]
    assert tabs == ["solution.py", "model.py"]
    assert not browser.find_element(By.CSS_SELECTOR, '[data-file="model.py"]').is_displayed()  # one file shown at a time

    prepend_line(browser, "model.py", "# model, edited in the browser")
    prepend_line(browser, "solution.py", "# solution, edited in the browser")
    status = browser.find_element(By.CSS_SELECTOR, ".editor-status")
    wait(lambda b: status.text.startswith("Draft saved"), 15, f"no autosave: the status says {status.text!r}")
    draft = Draft.objects.get(user=user)
    assert draft.files["model.py"].startswith("# model, edited") and draft.files["solution.py"].startswith("# solution, edited")
    screenshot("edited")

    focus_file(browser, "solution.py").send_keys(Keys.CONTROL, Keys.ENTER)
    verdict = wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#result .verdict"), 180, "no verdict on the result page")[0]
    submission = Submission.objects.get(user=user)
    assert set(submission.files) == {"solution.py", "model.py"}
    assert submission.files["model.py"].startswith("# model, edited") and submission.files["solution.py"].startswith("# solution, edited")
    assert verdict.text.lower() == "accepted", submission.result.message
    screenshot("graded")

    browser.get(f"{live_server.url}/challenges/resnet50-latency/")  # the next visit opens the draft
    wait_for_editor(browser, codemirror=True)
    assert file_text(browser, "model.py").startswith("# model, edited in the browser")
