"""The same flow in a real headless Chromium: log in, submit, watch the result page refresh
until the verdict appears. Skips, saying why, where Chromium or its driver is missing (the
`browser` fixture: conftest.py)."""
import pytest

from submissions.models import Submission
from tests.platform.web.editing import replace_with_line, wait_for_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_submit_and_see_the_verdict(browser, screenshot, live_server, user, vector_add, eager_grading):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server.url}/accounts/login/?next=/challenges/vector-add/")
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys("correct-horse-battery")
    browser.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "submit-form")))
    assert "Add two vectors" in browser.find_element(By.TAG_NAME, "h1").text
    assert "for float32 tensors of any length" in browser.find_element(By.CSS_SELECTOR, ".statement").text

    wait_for_editor(browser, codemirror=False)
    replace_with_line(browser, "solution.py", "def add(a, b): return a + b")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()

    verdict = WebDriverWait(browser, 120).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#result .verdict")))
    assert verdict.text.lower() == "accepted"
    assert Submission.objects.get(user=user).status == "graded"
    assert "correctness" in browser.find_element(By.ID, "result").text
    screenshot("verdict")
