"""Issue 16: a challenge tagged `degenerate` is not offered for ranking in contests: a contest
cannot be made with one, one tagged after the contest was made leaves its problem list and its
standings, and no more entries are taken on it."""
import pytest
from django.core.exceptions import ValidationError

from catalog.models import Challenge
from contests.selectors import contest_board, contest_challenges
from contests.services import contest_register, contest_submit
from tests.factories import ChallengeFactory, ChallengeVersionFactory
from tests.platform.contests.helpers import entry, make_contest
from tests.platform.leaderboards.helpers import user

pytestmark = pytest.mark.django_db


def _challenge(slug: str, tags: list[str]):
    return ChallengeVersionFactory(challenge=ChallengeFactory(slug=slug, tags=tags)).challenge


def test_a_contest_cannot_rank_a_degenerate_challenge():
    with pytest.raises(ValidationError, match="constant-ref: tagged degenerate"):
        make_contest(challenges=[_challenge("honest", []), _challenge("constant-ref", ["degenerate"])])


def test_a_challenge_flagged_after_the_contest_was_made_leaves_its_list_and_standings():
    honest, flagged = _challenge("honest", []), _challenge("flagged-later", ["imported"])
    contest = make_contest(challenges=[honest, flagged])
    alice = user("alice")
    entry(contest=contest, who=alice, challenge=honest, score=50)
    entry(contest=contest, who=alice, challenge=flagged, score=100)
    assert contest_board(contest=contest, viewer=alice).rows[0].total_score == 150
    Challenge.objects.filter(pk=flagged.pk).update(tags=["imported", "degenerate"])
    flagged.refresh_from_db()
    assert [c.slug for c in contest_challenges(contest=contest)] == ["honest"]
    board = contest_board(contest=contest, viewer=alice)
    assert board.challenges == ["honest"] and board.rows[0].total_score == 50
    contest_register(contest=contest, user=alice)
    with pytest.raises(ValidationError, match="tagged degenerate"):
        contest_submit(contest=contest, user=alice, challenge=flagged, files={"solution.py": "x = 1\n"})
