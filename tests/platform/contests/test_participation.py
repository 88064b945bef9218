"""Registration (open or by invitation) and submitting through a contest, rate limit included."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contests.models import ContestSubmission, Participant
from contests.selectors import contest_challenges, submissions_left
from contests.services import contest_invite, contest_register, contest_submit
from leaderboards.selectors import challenge_board
from tests.factories import ChallengeVersionFactory, ResultFactory
from tests.platform.contests.helpers import make_contest
from tests.platform.leaderboards.helpers import user

pytestmark = pytest.mark.django_db
FILES = {"solution.py": "def solve():\n    return 2\n"}


def test_open_registration_is_idempotent():
    contest = make_contest()
    someone = user("someone")
    assert contest_register(contest=contest, user=someone) == contest_register(contest=contest, user=someone)
    assert Participant.objects.filter(contest=contest).count() == 1


def test_an_invitation_only_contest_needs_an_invitation():
    organiser = user("organiser")
    contest = make_contest(registration="invite", organisers=[organiser])
    guest = user("guest")
    with pytest.raises(ValidationError, match="invitation"):
        contest_register(contest=contest, user=guest)
    with pytest.raises(PermissionDenied):
        contest_invite(contest=contest, user=guest, actor=guest)
    contest_invite(contest=contest, user=guest, actor=organiser)
    assert contest_register(contest=contest, user=guest).user == guest


def test_registration_closes_at_the_end():
    with pytest.raises(ValidationError, match="ended"):
        contest_register(contest=make_contest(phase="ended"), user=user("late"))


def test_only_registered_participants_submit_to_the_contests_challenges_while_it_runs():
    contest = make_contest(device_class="cpu")
    challenge = contest_challenges(contest=contest)[0]
    outsider = user("outsider")
    with pytest.raises(ValidationError, match="Register"):
        contest_submit(contest=contest, user=outsider, challenge=challenge, files=FILES)
    contest_register(contest=contest, user=outsider)
    other = ChallengeVersionFactory(challenge__slug="not-in-contest").challenge
    with pytest.raises(ValidationError, match="not part"):
        contest_submit(contest=contest, user=outsider, challenge=other, files=FILES)
    link = contest_submit(contest=contest, user=outsider, challenge=challenge, files=FILES)
    assert (link.submission.device_class, link.challenge, link.created_at) == ("cpu", challenge, link.submission.created_at)
    ended = make_contest(slug="over", phase="ended")
    Participant.objects.create(contest=ended, user=outsider)
    with pytest.raises(ValidationError, match="not running"):
        contest_submit(contest=ended, user=outsider, challenge=contest_challenges(contest=ended)[0], files=FILES)


def test_the_rate_limit_counts_contest_submissions_per_user():
    contest = make_contest(rate_limit_count=2, rate_limit_window_s=600)
    challenge = contest_challenges(contest=contest)[0]
    a, b = user("a"), user("b")
    for who in (a, b):
        contest_register(contest=contest, user=who)
    contest_submit(contest=contest, user=a, challenge=challenge, files=FILES)
    contest_submit(contest=contest, user=a, challenge=challenge, files=FILES)
    with pytest.raises(ValidationError, match="at most 2 submissions per 10 minutes"):
        contest_submit(contest=contest, user=a, challenge=challenge, files=FILES)
    assert submissions_left(contest=contest, user=a) == 0 and submissions_left(contest=contest, user=b) == 2
    contest_submit(contest=contest, user=b, challenge=challenge, files=FILES)  # someone else's limit is their own
    assert ContestSubmission.objects.filter(contest=contest).count() == 3


def test_hostile_files_are_refused_before_anything_is_stored():
    contest = make_contest()
    challenge = contest_challenges(contest=contest)[0]
    who = user("hostile")
    contest_register(contest=contest, user=who)
    with pytest.raises(ValidationError):
        contest_submit(contest=contest, user=who, challenge=challenge, files={"../escape.py": "x"})
    assert not ContestSubmission.objects.exists()


def test_a_contest_entry_stays_off_the_public_board_until_the_reveal():
    contest = make_contest()
    challenge = contest_challenges(contest=contest)[0]
    who = user("racer")
    contest_register(contest=contest, user=who)
    link = contest_submit(contest=contest, user=who, challenge=challenge, files=FILES)
    ResultFactory(submission=link.submission, score=90)
    assert challenge_board(challenge=challenge) == []
