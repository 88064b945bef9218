"""The result page in a real headless Chromium while a grading runs: the stage label and the
stage list follow Submission.progress without reloading the page, and the result is swapped in
when the grading ends (still without a reload). Skips where Chromium or its driver is missing."""
import pytest

from graders.progress import clean
from graders.result import GradeResult
from submissions.models import Submission
from submissions.progress import progress_record
from submissions.services import submission_record_result
from tests.factories import SubmissionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_stages_change_in_place_and_the_result_is_swapped_in(browser, live_server, log_in, wait, screenshot):
    from selenium.webdriver.common.by import By

    submission = SubmissionFactory(status=Submission.Status.QUEUED)
    version = submission.challenge_version
    version.spec = dict(version.spec or {}, graders=["static", "correctness", "latency"])
    version.save()
    log_in(submission.user)
    browser.get(f"{live_server.url}/submissions/{submission.pk}/")
    label = lambda: browser.find_element(By.ID, "stage-label").text  # noqa: E731
    assert label() == "queued: position 1 in the queue"
    stages = [li.get_attribute("data-stage") for li in browser.find_elements(By.CSS_SELECTOR, "#live [data-stage]")]
    assert stages == ["queued", "static", "starting", "correctness", "latency", "result"]
    browser.execute_script("window.__sameDocument = true;")  # gone if the page reloads

    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RUNNING)
    progress_record(submission_id=submission.pk, event=clean({"stage": "latency", "case_step": 1, "case_of": 2, "case": "shape (64, 256)",
                                                             "step": 12, "speedup": 1.25, "ci": [1.2, 1.3]}))
    wait(lambda _: label().startswith("timing: case 1 of 2"), 15, "the label follows the progress")
    assert label() == "timing: case 1 of 2 (shape (64, 256)), round 12, speedup 1.250x (95% CI 1.200-1.300)"
    assert browser.find_element(By.ID, "status-text").text == "running"
    now = browser.find_element(By.CSS_SELECTOR, "#live .stage-now")
    assert now.get_attribute("data-stage") == "latency" and now.get_attribute("aria-current") == "step"
    done = [li.get_attribute("data-stage") for li in browser.find_elements(By.CSS_SELECTOR, "#live .stage-done")]
    assert done == ["queued", "static", "starting", "correctness"]
    assert browser.execute_script("return window.__sameDocument === true;")
    screenshot("timing")

    submission.refresh_from_db()
    submission_record_result(submission=submission, result=GradeResult(
        verdict="accepted", score=70.0, message="ok", checks=[{"name": "correctness", "status": "pass", "detail": "2 cases"}],
        metrics={"speedup": 1.25, "latency_ms": None,
                 "cases": [{"case": "shape (64, 256)", "dtype": "float32", "speedup": 1.25, "speedup_ci": [1.2, 1.3],
                            "candidate": {"median": 0.4, "p10": 0.38, "p90": 0.5, "n": 40}, "baseline": {"median": 0.5, "p10": 0.45, "p90": 0.6}}]}))
    verdict = wait(lambda b: b.find_elements(By.CSS_SELECTOR, "#result #verdict"), 15, "the result is swapped in")[0]
    assert verdict.text.lower() == "accepted"
    assert browser.find_elements(By.ID, "figure-latency") and not browser.find_elements(By.ID, "live")
    assert browser.execute_script("return window.__sameDocument === true;"), "the page was reloaded"
    screenshot("result")


def test_every_chart_fits_a_390_px_screen(narrow, live_server, log_in, screenshot):
    from tests.platform.web.test_charts import CASES

    points = [{"role": role, "max_batch": 8, "concurrency": c, "rps": 100.0 * c, "latency_ms": {"p99": 2.0 * c}}
              for role in ("candidate", "baseline") for c in (1, 4, 16)]
    metrics = {"speedup": 1.7, "cases": CASES, "timing_method": "m", "throughput": {"mode": "closed", "points": points, "method": "m"},
               "profile": {"top_ops_by_self_cpu": [{"name": "aten::" + "very_long_operator_name" * 3, "count": 5, "self_cpu_us": 120.0}]},
               "memory_timeline": {"t_ms": [0, 1, 2], "mb": [0, 30.0, 2.0], "budget_mb": 40.0, "method": "m"}, "peak_memory_mb": 31.0}
    submission = SubmissionFactory(status=Submission.Status.GRADED)
    from tests.factories import ResultFactory
    ResultFactory(submission=submission, metrics=metrics)
    log_in(submission.user)
    narrow.get(f"{live_server.url}/submissions/{submission.pk}/")
    from selenium.webdriver.common.by import By
    assert len(narrow.find_elements(By.CSS_SELECTOR, "svg.chart")) == 5
    widths = narrow.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    screenshot("narrow")
