"""Reviewer pages: staff only; an override posted from the page goes through the service."""
from __future__ import annotations

import pytest

from reviews.models import CriterionOverride

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_queue_is_for_staff_only(client, make_graded):
    make_graded()
    response = client.get("/reviews/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_reviewer_sees_the_queue_and_overrides_from_the_review_page(client, make_graded, reviewer):
    submission = make_graded(answer="Bisect the diff. nvidia-smi. DCGM.")
    review = submission.written_review
    client.force_login(reviewer)
    queue = client.get("/reviews/")
    assert queue.status_code == 200 and f"/reviews/{review.pk}/" in queue.content.decode()
    page = client.get(f"/reviews/{review.pk}/")
    assert page.status_code == 200 and "Bisect the diff." in page.content.decode()
    mark = review.marks.get(criterion_id="baseline")
    response = client.post(f"/reviews/{review.pk}/marks/{mark.pk}/override/", {"points": "2", "reason": "Clear baseline."})
    assert response.status_code == 302
    assert CriterionOverride.objects.get().points == 2
    refused = client.post(f"/reviews/{review.pk}/marks/{mark.pk}/override/", {"points": "7", "reason": "Too much."})
    assert refused.status_code == 302 and CriterionOverride.objects.count() == 1
    client.post(f"/reviews/{review.pk}/complete/")
    review.refresh_from_db()
    assert review.status == "reviewed"
