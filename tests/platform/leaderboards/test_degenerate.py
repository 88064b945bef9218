"""Issue 16: a package tagged `degenerate` (its check can be passed without doing the work) is not
offered for ranking: its accepted results count on no board, it has no board page, and the
global totals leave it out; a tag that merely contains the word does not count."""
import pytest

from catalog.models import Challenge
from leaderboards.models import BestEntry, UserTotal
from leaderboards.selectors import board_challenge, challenge_board, global_board
from leaderboards.services import leaderboards_rebuild
from tests.factories import ChallengeFactory, ChallengeVersionFactory
from tests.platform.leaderboards.helpers import graded, user

pytestmark = pytest.mark.django_db


def _challenge(slug: str, tags: list[str]):
    return ChallengeVersionFactory(challenge=ChallengeFactory(slug=slug, tags=tags)).challenge


def test_results_on_a_degenerate_challenge_count_on_no_board():
    honest, degenerate = _challenge("honest", ["imported"]), _challenge("constant-ref", ["imported", "degenerate"])
    alice = user("alice")
    graded(user=alice, challenge=honest, score=60)
    graded(user=alice, challenge=degenerate, score=100)
    assert not BestEntry.objects.filter(challenge=degenerate).exists()
    assert challenge_board(challenge=degenerate) == []
    assert [(r.username, r.total_score, r.challenges) for r in global_board()] == [("alice", 60.0, 1)]
    leaderboards_rebuild()
    assert not BestEntry.objects.filter(challenge=degenerate).exists()
    assert UserTotal.objects.get(user=alice).total_score == 60.0


def test_a_degenerate_challenge_has_no_board_page(client):
    _challenge("constant-ref", ["degenerate"])
    _challenge("not-degenerate-at-all", ["non-degenerate", "degenerate-ish"])
    with pytest.raises(Challenge.DoesNotExist):
        board_challenge(slug="constant-ref")
    assert board_challenge(slug="not-degenerate-at-all").slug == "not-degenerate-at-all"
    assert client.get("/leaderboards/constant-ref/").status_code == 404
    assert client.get("/leaderboards/not-degenerate-at-all/").status_code == 200


def test_tagging_a_ranked_challenge_degenerate_takes_it_off_the_boards():
    challenge = _challenge("later-flagged", [])
    bob = user("bob")
    graded(user=bob, challenge=challenge, score=80)
    assert [r.username for r in challenge_board(challenge=challenge)] == ["bob"]
    Challenge.objects.filter(pk=challenge.pk).update(tags=["degenerate"])  # a re-import flagged it
    leaderboards_rebuild()  # manage.py rebuild_leaderboards
    assert challenge_board(challenge=challenge) == [] and global_board() == []
