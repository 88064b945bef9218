"""A new candidate's whole visit in a real headless Chromium: sign up, open `resnet50-latency`
from the catalog, edit both of its files in the editor, submit, watch the grading's stages on
the result page (no reload), see the plots, then find themselves on the leaderboard. The
grading is real (about a minute on the CPU), in a background thread as a worker would run it.
Screenshots: var/screenshots/test_a_new_candidate_*--<step>.png."""
import time

import pytest

from submissions.models import Submission
from tests.conftest import REPO_ROOT
from tests.factories import synced_challenge
from tests.platform.web.editing import prepend_line, wait_for_editor

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

GRADING_S = 300  # 45-70 s on an idle CPU; a shared CI machine is slower
# Stages the harness reports while it works (graders.progress): what the page must show before the verdict.
WORKING_STAGES = {"static", "correctness", "peak_memory", "latency", "throughput", "benchmark", "profile", "degeneracy"}


def _sign_up(browser, live_server, username: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(live_server.url + "/")
    browser.find_element(By.LINK_TEXT, "Sign up").click()
    form = browser.find_element(By.ID, "signup-form")
    for name, value in (("username", username), ("email", f"{username}@example.com"),
                        ("password1", "a-long-Passphrase-42"), ("password2", "a-long-Passphrase-42")):
        field = form.find_element(By.NAME, name)
        assert form.find_elements(By.CSS_SELECTOR, f'label[for="{field.get_attribute("id")}"]'), f"no label for {name}"
        field.send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def _watch_stages(browser) -> list[tuple[str, str]]:
    """(stage, label) pairs the result page showed, in order, until the verdict replaced them."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
    from selenium.webdriver.common.by import By

    seen, deadline = [], time.monotonic() + GRADING_S
    while time.monotonic() < deadline:
        try:
            if browser.find_elements(By.CSS_SELECTOR, "#result #verdict"):
                return seen
            live = browser.find_elements(By.ID, "live")
            now = (live[0].get_attribute("data-stage"), browser.find_element(By.ID, "stage-label").text) if live else None
        except (StaleElementReferenceException, NoSuchElementException):  # the result was swapped in between two reads
            continue
        except WebDriverException as exc:  # the same race, as Chromium sometimes words it
            if "does not belong to the document" not in str(exc):
                raise
            continue
        if now and (not seen or seen[-1] != now):
            seen.append(now)
        time.sleep(0.2)
    raise AssertionError(f"no verdict within {GRADING_S} s; stages seen: {seen}")


def test_a_new_candidate_signs_up_solves_resnet50_and_finds_the_leaderboard(browser, screenshot, wait, live_server, background_grading):
    from selenium.webdriver.common.by import By

    synced_challenge("resnet50-latency", root=REPO_ROOT / "challenges")
    _sign_up(browser, live_server, "ada")
    wait(lambda b: b.find_elements(By.XPATH, "//header//span[text()='ada']"), 20, "signing up did not log ada in")
    screenshot("1-signed-up")

    browser.find_element(By.CSS_SELECTOR, 'a[href="/challenges/resnet50-latency/"]').click()
    wait_for_editor(browser, codemirror=True)
    assert "ResNet-50" in browser.find_element(By.TAG_NAME, "h1").text
    prepend_line(browser, "model.py", "# model.py, unchanged but for this line")
    prepend_line(browser, "solution.py", "# solution.py, edited in the browser")
    screenshot("2-edited-both-files")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()

    wait(lambda b: "/submissions/" in b.current_url, 30, "submitting did not open the result page")
    stages = _watch_stages(browser)
    print("stages the page showed:", stages)  # in the test's captured output
    working = [(stage, label) for stage, label in stages if stage in WORKING_STAGES and label]
    assert working, f"the page showed no grading stage before the verdict (it showed {stages})"
    screenshot("3-verdict")

    submission = Submission.objects.get(user__username="ada")
    assert submission.files["model.py"].startswith("# model.py, unchanged") and submission.files["solution.py"].startswith("# solution.py, edited")
    verdict = browser.find_element(By.CSS_SELECTOR, "#result #verdict").text.lower()
    assert verdict == "accepted", submission.result.message
    charts = browser.find_elements(By.CSS_SELECTOR, "#result figure svg")
    assert charts and all(chart.is_displayed() for chart in charts), "the result shows no plot (an <svg> chart in a <figure>)"
    browser.execute_script("arguments[0].scrollIntoView()", charts[0])
    screenshot("4-plots")

    browser.find_element(By.PARTIAL_LINK_TEXT, "ResNet-50").click()
    browser.find_element(By.LINK_TEXT, "Full leaderboard").click()
    row = wait(lambda b: b.find_elements(By.XPATH, "//table//tr[td[contains(., 'ada')]]"), 20, "ada is not on the leaderboard")[0]
    assert row.is_displayed() and "1" in row.text.split()[0]
    screenshot("5-leaderboard")
