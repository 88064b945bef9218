"""What the result page says about a timing: the speedup's 95% CI, which clock decided each
case, and a plain note when the measurement was noisy (docs/grading.md)."""
import pytest
from django.urls import reverse

from tests.factories import ResultFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

CASE = {"case": "shape (2, 4, 127, 64)", "dtype": "float32", "speedup": 0.9, "speedup_ci": [0.85, 0.95], "source": "outside_clock",
        "candidate": {"median": 0.5, "p10": 0.45, "p90": 0.6, "n": 80}, "baseline": {"median": 0.45}}


def _page(client, *, flags, metrics):
    submission = SubmissionFactory(status="graded")
    ResultFactory(submission=submission, flags=flags, metrics=metrics, score=80.0)
    client.force_login(submission.user)
    return client.get(reverse("submission", args=[submission.pk])).content.decode()


def test_the_speedup_ci_and_the_noisy_note_are_shown(client):
    text = _page(client, flags=["noisy"], metrics={"speedup": 0.9, "speedup_ci": [0.851, 0.952], "cases": [CASE], "timing_method": "m"})
    assert "95% CI 0.851–0.952" in text
    assert 'id="noisy-note"' in text and "Noisy measurement" in text
    assert "0.850–0.950" in text and "outside clocks" in text  # per case: its CI and the clock that decided


def test_a_precise_result_has_no_noisy_note(client):
    text = _page(client, flags=[], metrics={"speedup": 1.2, "speedup_ci": [1.19, 1.21], "cases": [dict(CASE, source="in_process")], "timing_method": "m"})
    assert "95% CI 1.190–1.210" in text
    assert 'id="noisy-note"' not in text
    assert "in-process timer, confirmed by the outside clocks" in text
