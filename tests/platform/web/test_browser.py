"""The same flow in a real headless Chromium: log in, submit, watch the result page refresh
until the verdict appears. Skips, saying why, where Chromium or its driver is missing."""
import shutil

import pytest

from submissions.models import Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_log_in_submit_and_see_the_verdict(browser, live_server, user, vector_add, eager_grading):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server.url}/accounts/login/?next=/challenges/vector-add/")
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys("correct-horse-battery")
    browser.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.ID, "submit-form")))
    assert "Add two vectors" in browser.find_element(By.CSS_SELECTOR, ".statement h1").text

    code = browser.find_element(By.NAME, "code")
    code.clear()
    code.send_keys("def add(a, b):\n    return a + b\n")
    browser.find_element(By.CSS_SELECTOR, "#submit-form button[type=submit]").click()

    verdict = WebDriverWait(browser, 120).until(ec.presence_of_element_located((By.CSS_SELECTOR, "#result .verdict")))
    assert verdict.text.lower() == "accepted"
    assert Submission.objects.get(user=user).status == "graded"
    assert "correctness" in browser.find_element(By.ID, "result").text
