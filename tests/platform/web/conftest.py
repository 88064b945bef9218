"""Browser fixtures, shared by every test marked `browser`: a headless Debian Chromium driven by
Selenium through chromedriver (both from apt; nothing is downloaded at test time), and a
`screenshot(step)` helper that saves var/screenshots/<test>--<step>.png, kept as a CI artifact
(docs/browser-tests.md). Without Chromium or its driver the browser tests skip, saying why."""
from __future__ import annotations

import base64
import re
import shutil

import pytest

from tests.conftest import REPO_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
MAX_FULL_PAGE_PX = 6000
NARROW_WIDTH, NARROW_HEIGHT = 390, 844  # a phone held upright (iPhone 12-15 CSS pixels)
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", "--disable-extensions",
                  "--disable-default-apps", "--window-size=1280,900")


def _new_driver():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium and chromedriver are not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # the network log: every request the page made
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    return driver


def _test_name(request) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")


@pytest.fixture
def browser(request):
    driver = _new_driver()
    yield driver
    try:  # the last thing the page showed, pass or fail: the first thing to look at when one fails
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(SCREENSHOTS / f"{_test_name(request)}--last.png"))
    finally:
        driver.quit()


@pytest.fixture
def narrow(browser):
    """The browser with a 390-px-wide viewport (device metrics emulated, so window.innerWidth is 390)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": NARROW_WIDTH, "height": NARROW_HEIGHT, "deviceScaleFactor": 1, "mobile": False})
    return browser


@pytest.fixture
def screenshot(browser, request):
    """screenshot("step") saves var/screenshots/<test>--<step>.png and returns its path;
    full_page=True captures the whole page, not only the viewport (up to MAX_FULL_PAGE_PX tall)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    base = _test_name(request)

    def save(step: str, *, full_page: bool = False):
        path = SCREENSHOTS / f"{base}--{re.sub(r'[^A-Za-z0-9_.-]+', '-', step)}.png"
        if not full_page:
            browser.save_screenshot(str(path))
            return path
        size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        width = max(size["width"], browser.execute_script("return window.innerWidth"))  # the page as wide as the screen, not the content
        clip = {"x": 0, "y": 0, "width": width, "height": min(size["height"], MAX_FULL_PAGE_PX), "scale": 1}
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    return save


@pytest.fixture
def wait(browser):
    """wait(condition, seconds) -> what the condition returned (selenium's WebDriverWait); an
    element gone stale or missing while a page loads counts as "not yet"."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    def until(condition, seconds: float = 30, message: str = ""):
        return WebDriverWait(browser, seconds, poll_frequency=0.25,
                             ignored_exceptions=(StaleElementReferenceException, NoSuchElementException)).until(condition, message)

    return until


@pytest.fixture
def log_in(browser, live_server):
    """log_in(user) gives the browser that user's session (the log-in form has its own test);
    log_in(None) makes it anonymous."""
    from django.conf import settings
    from django.test import Client

    def as_user(user) -> None:
        browser.get(f"{live_server.url}/static/web/site.css")  # a cookie is set on the site's origin
        browser.delete_all_cookies()
        if user is None:
            return
        client = Client()
        client.force_login(user)
        browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "path": "/"})

    return as_user


@pytest.fixture
def background_grading(monkeypatch, live_server):
    """Grade each submission in a thread of the test process, as a worker would: the submit
    answers at once and the result page watches the grading's stages (eager grading would finish
    it inside the POST). The thread shares the live server's database connection, as the server
    thread does (the test database is SQLite in memory); the test waits for every grading."""
    import threading

    from django.db import connections

    import submissions.services

    shared, threads = connections["default"], []

    def grade(submission_id: str) -> None:
        connections["default"] = shared
        submissions.services.submission_grade(submission_id=submission_id, task_id="browser-test", worker="celery@test-worker")

    def publish(*, submission) -> bool:
        thread = threading.Thread(target=grade, args=(str(submission.pk),), name=f"grade-{submission.pk}", daemon=True)
        threads.append(thread)
        thread.start()
        return True

    monkeypatch.setattr(submissions.services, "submission_publish", publish)
    shared.inc_thread_sharing()
    try:
        yield threads
        for thread in threads:
            thread.join(timeout=300)
    finally:
        shared.dec_thread_sharing()
