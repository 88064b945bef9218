"""Board pages: the ranking with CI, date and marks, the entry link, private code, hostile query strings."""
import pytest

from tests.factories import ChallengeVersionFactory
from tests.platform.leaderboards.helpers import graded, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge():
    return ChallengeVersionFactory(challenge__slug="paged-challenge", challenge__title="Paged Challenge").challenge


def test_challenge_board_page_shows_speedup_ci_date_flags_and_entry_link(client, challenge):
    submission = graded(user=user("fast"), challenge=challenge, score=88, speedup=2.5, ci=(2.25, 2.75), flags=["noisy"])
    graded(user=user("slow"), challenge=challenge, score=41, speedup=0.7)
    page = client.get("/leaderboards/paged-challenge/").content.decode()
    assert page.index('data-user="fast"') < page.index('data-user="slow"')
    assert "2.500×" in page and "2.250–2.750" in page and "2026-11-01" in page
    assert '<span class="tag flag"' in page and f"/leaderboards/entries/{submission.pk}/" in page


def test_the_challenge_page_uses_the_leaderboard(client, challenge):
    graded(user=user("on-challenge-page"), challenge=challenge, score=77, speedup=1.9, ci=(1.8, 2.0))
    page = client.get("/challenges/paged-challenge/").content.decode()
    assert 'data-user="on-challenge-page"' in page and "1.800–2.000" in page and "/leaderboards/paged-challenge/" in page


def test_global_board_page(client, challenge):
    graded(user=user("global-one"), challenge=challenge, score=64)
    page = client.get("/leaderboards/?device_class=cpu").content.decode()
    assert 'data-user="global-one"' in page and "64.0" in page


def test_entry_code_is_private_to_its_author(client, challenge):
    author = user("author")
    submission = graded(user=author, challenge=challenge, score=70)
    url = f"/leaderboards/entries/{submission.pk}/"
    page = client.get(url).content.decode()
    assert "score 70.0" in page and "private to its author" in page and "return 1" not in page
    client.force_login(author)
    assert "return 1" in client.get(url).content.decode()


def test_an_entry_that_is_not_on_a_board_is_not_found(client, challenge):
    wrong = graded(user=user("wrong"), challenge=challenge, score=0, verdict="wrong_answer")
    assert client.get(f"/leaderboards/entries/{wrong.pk}/").status_code == 404
    assert client.get("/leaderboards/entries/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("query", ["?page=abc", "?page=-4", "?page=99999999999999999999", "?device_class=%00%3Cscript%3E", "?device_class=nope&page="])
def test_hostile_query_strings_never_crash(client, challenge, query):
    graded(user=user("h"), challenge=challenge, score=50)
    for url in (f"/leaderboards/paged-challenge/{query}", f"/leaderboards/{query}"):
        response = client.get(url)
        assert response.status_code == 200 and b"<script>" not in response.content


def test_unknown_challenge_board_is_a_404(client):
    assert client.get("/leaderboards/no-such-challenge/").status_code == 404


def test_a_hostile_username_is_escaped_on_every_board(client, challenge):
    graded(user=user('<img src=x onerror=alert(1)>"'), challenge=challenge, score=60)
    for url in ("/leaderboards/paged-challenge/", "/leaderboards/", "/challenges/paged-challenge/"):
        page = client.get(url).content.decode()
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;&quot;" in page, url
