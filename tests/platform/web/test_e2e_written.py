"""A written answer in a real headless Chromium: open `batch-scaling`, type an answer (the word
count follows), submit, and read the rubric feedback: each criterion's description and points,
and the sentences of the answer that earned them highlighted. The rubric grading is real
(graders.rubric), run in a background thread as a worker would.
Screenshots: var/screenshots/test_a_written_answer_*--<step>.png."""
import pytest

from submissions.models import Submission
from tests.conftest import REPO_ROOT
from tests.factories import synced_challenge
from tests.platform.web.editing import file_element, focus_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAUNCHES = ("Kernel launch overhead: if the model launches hundreds of small kernels, the CPU cannot dispatch them fast enough; "
            "I would count kernels per step and the time spent in cudaLaunchKernel in a trace.")
FEEDING = ("The CPU-side loading and preprocessing may not keep up, so the GPU waits for data; "
           "an Nsight Systems timeline would show idle gaps on the GPU between batches.")
ANSWER = f"{LAUNCHES}\n{FEEDING}"


def test_a_written_answer_gets_its_rubric_feedback(browser, screenshot, wait, log_in, live_server, user, background_grading):
    from selenium.webdriver.common.by import By

    synced_challenge("batch-scaling", root=REPO_ROOT / "challenges")
    log_in(user)
    browser.get(f"{live_server.url}/challenges/batch-scaling/")
    answer = focus_file(browser, "answer.md")
    answer.send_keys(ANSWER)
    count = file_element(browser, "answer.md").find_element(By.CSS_SELECTOR, ".word-count")
    words = len(ANSWER.split())
    wait(lambda b: count.text == f"{words} words", 10, f"the word count says {count.text!r}, not {words} words")
    screenshot("1-answer-typed")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()

    verdict = wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#result #verdict"), 240, "no verdict on the result page")[0]
    submission = Submission.objects.get(user=user)
    assert verdict.text.lower() == "accepted", submission.result.metrics  # 6 of 10: the pass mark is 60%
    rows = {row.get_attribute("data-criterion"): row for row in browser.find_elements(By.CSS_SELECTOR, "#rubric tr[data-criterion]")}
    assert {"h2d_transfer", "launch_overhead", "non_parallel_op"} <= set(rows)
    launch = rows["launch_overhead"].text
    assert "Kernel launch overhead: many small kernels saturate the CPU" in launch, launch  # the criterion's description
    assert "3 / 3" in launch or "3.0 / 3" in launch, launch
    assert "0 / 2" in rows["non_parallel_op"].text or "0.0 / 2" in rows["non_parallel_op"].text
    marked = {m.get_attribute("data-criterion"): m.text for m in browser.find_elements(By.CSS_SELECTOR, "#written-answer mark")}
    assert set(marked) == {"h2d_transfer", "launch_overhead"}, marked
    assert marked["launch_overhead"] in LAUNCHES and marked["h2d_transfer"] in FEEDING
    assert browser.find_element(By.ID, "word-count").text == f"({words} words)"
    screenshot("2-feedback")
    browser.execute_script("document.getElementById('written-answer').scrollIntoView()")
    screenshot("3-highlighted-answer")
