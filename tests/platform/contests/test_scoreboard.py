"""The scoreboard: freeze, reveal, disqualification, and what public boards may show meanwhile."""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contests.models import AuditEvent, ContestSubmission
from contests.selectors import contest_board, contest_challenges, contest_phase
from contests.services import contest_publish, entry_disqualify, entry_reinstate
from leaderboards.selectors import challenge_board
from submissions.models import Result
from tests.platform.contests.helpers import HOUR, entry, make_contest
from tests.platform.leaderboards.helpers import user

pytestmark = pytest.mark.django_db


def _ranking(board):
    return [(r.username, r.total_score) for r in board.rows]


@pytest.fixture
def organiser():
    return user("organiser")


def test_the_freeze_hides_later_changes_from_participants_but_not_from_organisers(organiser):
    contest = make_contest(freeze=True, organisers=[organiser])
    participant = user("participant")
    entry(contest=contest, who=participant, score=50, at=timezone.now() - HOUR * 1.5)
    entry(contest=contest, who="late", score=90, at=timezone.now() - HOUR / 6)  # after the freeze
    entry(contest=contest, who=participant, score=95, at=timezone.now())  # an improvement after the freeze
    seen = contest_board(contest=contest, viewer=participant)
    assert (seen.live, seen.as_of, _ranking(seen)) == (False, contest.freeze_at, [("participant", 50)])
    assert _ranking(contest_board(contest=contest, viewer=AnonymousUser())) == [("participant", 50)]
    live = contest_board(contest=contest, viewer=organiser)
    assert live.live and _ranking(live) == [("participant", 95), ("late", 90)]


def test_the_reveal_publishes_the_live_board_to_everyone_and_to_the_public_boards(organiser):
    contest = make_contest(phase="ended", freeze=True, organisers=[organiser], reverify_top_n=0)
    challenge = contest_challenges(contest=contest)[0]
    entry(contest=contest, who="early", score=60, at=contest.freeze_at - HOUR)
    entry(contest=contest, who="after-freeze", score=80, at=contest.freeze_at + HOUR / 2)
    assert challenge_board(challenge=challenge) == []  # not before the reveal: it would undo the freeze
    with pytest.raises(PermissionDenied):
        contest_publish(contest=contest, actor=user("not-an-organiser"))
    contest_publish(contest=contest, actor=organiser)
    board = contest_board(contest=contest, viewer=user("anyone"))
    assert (board.live, board.final, _ranking(board)) == (True, True, [("after-freeze", 80), ("early", 60)])
    assert [r.username for r in challenge_board(challenge=challenge)] == ["after-freeze", "early"]
    assert contest_phase(contest=contest) == "published"
    assert AuditEvent.objects.filter(contest=contest, action="publish", actor=organiser).exists()
    with pytest.raises(ValidationError):
        contest_publish(contest=contest, actor=organiser)  # only once


def test_standings_cannot_be_published_while_the_contest_runs_or_before_reverification(organiser):
    contest = make_contest(organisers=[organiser])
    with pytest.raises(ValidationError, match="ended"):
        contest_publish(contest=contest, actor=organiser)
    ended = make_contest(slug="unverified", phase="ended", organisers=[organiser], reverify_top_n=3)
    with pytest.raises(ValidationError, match="Re-verify the top 3"):
        contest_publish(contest=ended, actor=organiser)


def test_disqualification_keeps_the_entry_and_removes_it_from_the_board(organiser):
    contest = make_contest(phase="ended", organisers=[organiser], reverify_top_n=0)
    cheat = entry(contest=contest, who="cheat", score=99, speedup=40.0)
    entry(contest=contest, who="honest", score=70)
    entry_disqualify(entry=cheat, actor=organiser, reason="reads the expected outputs from /proc")
    assert ContestSubmission.objects.filter(pk=cheat.pk, disqualified_at__isnull=False).exists()
    assert Result.objects.filter(submission_id=cheat.submission_id).exists()
    board = contest_board(contest=contest, viewer=organiser)
    assert _ranking(board) == [("honest", 70)]
    assert [(d.username, d.reason) for d in board.disqualified] == [("cheat", "reads the expected outputs from /proc")]
    assert contest_board(contest=contest, viewer=user("viewer")).disqualified == []  # the reasons are the organisers'
    event = AuditEvent.objects.get(contest=contest, action="disqualify")
    assert (event.actor, event.entry, event.reason) == (organiser, cheat, "reads the expected outputs from /proc")
    contest_publish(contest=contest, actor=organiser)
    assert [r.username for r in challenge_board(challenge=cheat.challenge)] == ["honest"]


def test_a_disqualified_entry_can_be_reinstated_with_a_reason(organiser):
    contest = make_contest(phase="ended", organisers=[organiser])
    link = entry(contest=contest, who="appealed", score=80)
    entry_disqualify(entry=link, actor=organiser, reason="looked like a copy")
    entry_reinstate(entry=link, actor=organiser, reason="independent work, checked")
    assert _ranking(contest_board(contest=contest, viewer=organiser)) == [("appealed", 80)]
    assert list(AuditEvent.objects.filter(contest=contest).values_list("action", flat=True)) == ["reinstate", "disqualify"]


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001, "null\x00byte"])
def test_disqualification_needs_a_plain_reason_and_an_organiser(organiser, reason):
    contest = make_contest(organisers=[organiser])
    link = entry(contest=contest, who="target")
    with pytest.raises(ValidationError):
        entry_disqualify(entry=link, actor=organiser, reason=reason)
    with pytest.raises(PermissionDenied):
        entry_disqualify(entry=link, actor=link.user, reason="I disqualify myself")
    assert not AuditEvent.objects.exists()


def test_totals_sum_the_best_entry_per_challenge_then_speedup_breaks_ties(organiser):
    contest = make_contest(organisers=[organiser])
    first, second = contest_challenges(contest=contest)
    entry(contest=contest, who="both", challenge=first, score=40, speedup=1.0)
    entry(contest=contest, who="both", challenge=first, score=60, speedup=1.5)
    entry(contest=contest, who="both", challenge=second, score=50, speedup=2.0)
    entry(contest=contest, who="tie", challenge=first, score=110, speedup=1.0)
    entry(contest=contest, who="wrong", challenge=first, score=0, verdict="wrong_answer")
    rows = contest_board(contest=contest, viewer=organiser).rows
    assert [(r.username, r.total_score) for r in rows] == [("both", 110), ("tie", 110)]
    assert [c.score if c else None for c in rows[1].columns] == [110, None]
