"""The contest page: rules, clock, board (frozen for participants), organiser actions through the web."""
import pytest
from django.utils import timezone

from contests.models import AuditEvent, ContestSubmission
from tests.platform.contests.helpers import HOUR, entry, make_contest
from tests.platform.leaderboards.helpers import user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return user("organiser")


def test_the_page_shows_rules_clock_and_the_frozen_board_to_participants(client, organiser):
    contest = make_contest(freeze=True, organisers=[organiser])
    entry(contest=contest, who="before", score=50, at=timezone.now() - HOUR * 1.5)
    entry(contest=contest, who="after", score=90, at=timezone.now())
    client.force_login(user("viewer"))
    page = client.get("/contests/race/").content.decode()
    assert "<em>correct</em>" in page and 'data-phase="frozen"' in page and "ends in" in page
    assert 'data-board="frozen"' in page and 'data-user="before"' in page and 'data-user="after"' not in page
    client.force_login(organiser)
    page = client.get("/contests/race/").content.decode()
    assert 'data-board="live"' in page and 'data-user="after"' in page and "Audit log" in page


def test_the_contest_list(client):
    make_contest(slug="listed")
    assert "/contests/listed/" in client.get("/contests/").content.decode()
    assert client.get("/contests/unknown/").status_code == 404


def test_register_and_submit_through_the_page(client):
    contest = make_contest()
    client.force_login(user("web-racer"))
    client.post("/contests/race/register/")
    response = client.post("/contests/race/submit/", {"challenge": "race-a", "code": "def solve():\n    return 3\n"}, follow=True)
    assert response.status_code == 200
    assert ContestSubmission.objects.filter(contest=contest, user__username="web-racer").count() == 1
    response = client.post("/contests/race/submit/", {"challenge": "nope\x00", "code": "x"}, follow=True)
    assert "Choose one of this contest" in response.content.decode()


def test_organisers_disqualify_through_the_page_and_others_cannot(client, organiser):
    contest = make_contest(phase="ended", organisers=[organiser])
    link = entry(contest=contest, who="suspect", score=99)
    url = f"/contests/race/entries/{link.submission_id}/disqualify/"
    client.force_login(user("rival"))
    response = client.post(url, {"reason": "I do not like them"}, follow=True)
    assert "Only this contest" in response.content.decode() and not AuditEvent.objects.exists()
    client.force_login(organiser)
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Give a reason" in response.content.decode()
    page = client.post(url, {"reason": "timing tampering <script>"}, follow=True).content.decode()
    assert ContestSubmission.objects.get(pk=link.pk).disqualified_at is not None
    assert "timing tampering &lt;script&gt;" in page and 'data-user="suspect"' not in page


def test_reverify_and_publish_are_refused_with_a_message_while_running(client, organiser):
    make_contest(organisers=[organiser])
    client.force_login(organiser)
    for action in ("reverify", "publish"):
        response = client.post(f"/contests/race/{action}/", follow=True)
        assert response.status_code == 200 and "ended" in response.content.decode()
    assert client.get("/contests/race/publish/").status_code == 405
