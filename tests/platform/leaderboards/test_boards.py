"""Challenge and global boards: the ranking rule, best entries, flags, and staying in step with results."""
import pytest

from leaderboards.models import BestEntry
from leaderboards.selectors import board_size, challenge_board, global_board, user_entry
from leaderboards.services import leaderboards_rebuild
from submissions.models import Result
from tests.factories import ChallengeFactory
from tests.platform.leaderboards.helpers import graded, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge():
    return ChallengeFactory(slug="board-challenge")


def _names(rows):
    return [r.username for r in rows]


def test_rank_by_score_then_speedup_then_earliest(challenge):
    a, b, c, d = (user(n) for n in "abcd")
    graded(user=a, challenge=challenge, score=80, speedup=2.0, minutes=5)
    graded(user=b, challenge=challenge, score=90, speedup=1.5, minutes=9)
    graded(user=c, challenge=challenge, score=80, speedup=2.5, minutes=7)
    graded(user=d, challenge=challenge, score=80, speedup=2.0, minutes=1)  # ties a on score and speedup, earlier
    rows = challenge_board(challenge=challenge, device_class="cpu")
    assert _names(rows) == ["b", "c", "d", "a"]
    assert [r.rank for r in rows] == [1, 2, 3, 4]


def test_each_user_appears_once_with_their_best_counted_result(challenge):
    someone = user("repeat")
    graded(user=someone, challenge=challenge, score=60, speedup=1.2, minutes=1)
    best = graded(user=someone, challenge=challenge, score=95, speedup=3.0, minutes=2, ci=(2.7, 3.3))
    graded(user=someone, challenge=challenge, score=0, speedup=9.0, minutes=3, verdict="wrong_answer")
    graded(user=someone, challenge=challenge, score=100, speedup=9.0, minutes=4, verdict="rejected")
    (row,) = challenge_board(challenge=challenge, device_class="cpu")
    assert (row.score, row.speedup, row.speedup_ci, row.submission_id) == (95, 3.0, (2.7, 3.3), str(best.pk))


def test_noisy_and_timing_mismatch_entries_are_marked(challenge):
    graded(user=user("noisy"), challenge=challenge, score=70, flags=["noisy"])
    graded(user=user("mismatch"), challenge=challenge, score=60, flags=["timing_mismatch", "something_else"])
    graded(user=user("clean"), challenge=challenge, score=50)
    assert {r.username: r.flags for r in challenge_board(challenge=challenge)} == {"noisy": ["noisy"], "mismatch": ["timing_mismatch"], "clean": []}


def test_boards_are_per_device_class(challenge):
    someone = user("two-classes")
    graded(user=someone, challenge=challenge, score=50, device_class="cpu")
    graded(user=someone, challenge=challenge, score=99, device_class="h100")
    assert [r.score for r in challenge_board(challenge=challenge, device_class="cpu")] == [50]
    assert [r.score for r in challenge_board(challenge=challenge, device_class="h100")] == [99]
    assert challenge_board(challenge=challenge, device_class="h200") == []


def test_global_board_sums_best_scores_per_device_class(challenge):
    other = ChallengeFactory(slug="second-challenge")
    a, b = user("ga"), user("gb")
    graded(user=a, challenge=challenge, score=40, minutes=1)
    graded(user=a, challenge=challenge, score=70, minutes=2)
    graded(user=a, challenge=other, score=50, minutes=3)
    graded(user=b, challenge=challenge, score=100, minutes=1)
    graded(user=b, challenge=other, score=90, minutes=2, device_class="h100")
    rows = global_board(device_class="cpu")
    assert [(r.username, r.total_score, r.challenges) for r in rows] == [("ga", 120, 2), ("gb", 100, 1)]
    assert [(r.username, r.total_score) for r in global_board(device_class="h100")] == [("gb", 90)]


def test_a_changed_or_deleted_result_moves_the_entry(challenge):
    someone = user("moves")
    graded(user=someone, challenge=challenge, score=60, minutes=1)
    top = graded(user=someone, challenge=challenge, score=90, minutes=2)
    result = Result.objects.get(submission=top)
    result.score = 30  # e.g. a reviewer re-scored it
    result.save()
    assert challenge_board(challenge=challenge)[0].score == 60
    assert global_board()[0].total_score == 60
    Result.objects.filter(submission__user=someone, score=60).delete()
    assert challenge_board(challenge=challenge)[0].score == 30
    Result.objects.filter(submission__user=someone).delete()
    assert challenge_board(challenge=challenge) == [] and global_board() == []


def test_rebuild_gives_the_same_boards_as_the_incremental_path(challenge):
    for i in range(6):
        graded(user=user(f"r{i % 3}"), challenge=challenge, score=40 + 7 * (i % 4), speedup=1 + i / 10, minutes=i)
    before = (challenge_board(challenge=challenge), global_board())
    BestEntry.objects.all().delete()
    assert leaderboards_rebuild() == {"entries": 3, "totals": 3}
    assert (challenge_board(challenge=challenge), global_board()) == before


def test_paging_and_hostile_limits(challenge):
    for i in range(5):
        graded(user=user(f"p{i}"), challenge=challenge, score=90 - i)
    assert _names(challenge_board(challenge=challenge, limit=2, offset=2)) == ["p2", "p3"]
    assert [r.rank for r in challenge_board(challenge=challenge, limit=2, offset=2)] == [3, 4]
    assert challenge_board(challenge=challenge, limit=-5) == []
    assert len(challenge_board(challenge=challenge, limit=10**9, offset=-3)) == 5
    assert board_size(challenge=challenge) == 5


def test_user_entry_knows_its_rank_beyond_the_first_page(challenge):
    users = [user(f"u{i:02d}") for i in range(12)]
    for i, member in enumerate(users):
        graded(user=member, challenge=challenge, score=100 - i, minutes=i)
    mine = user_entry(user=users[10], challenge=challenge, device_class="cpu")
    assert (mine.rank, mine.username) == (11, "u10")
    assert user_entry(user=user(), challenge=challenge) is None


def test_a_malformed_speedup_or_ci_is_shown_as_missing(challenge):
    graded(user=user("odd"), challenge=challenge, score=50, speedup="fast", ci=("x", 2))
    (row,) = challenge_board(challenge=challenge)
    assert (row.speedup, row.speedup_ci) == (None, None)


def test_deleting_the_best_submission_promotes_the_next_best(challenge, django_capture_on_commit_callbacks):
    someone = user("deleted-best")
    graded(user=someone, challenge=challenge, score=55, minutes=1)
    top = graded(user=someone, challenge=challenge, score=95, minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        top.delete()
    assert [(r.username, r.score) for r in challenge_board(challenge=challenge)] == [("deleted-best", 55)]
    assert global_board()[0].total_score == 55


def test_board_sizes_per_device_class(challenge):
    from leaderboards.selectors import board_sizes

    graded(user=user("s1"), challenge=challenge, score=50, device_class="h100")
    graded(user=user("s2"), challenge=challenge, score=50)
    graded(user=user("s2"), challenge=challenge, score=60)
    assert board_sizes(challenge=challenge) == {"cpu": 1, "h100": 1}
    assert list(board_sizes()) == ["cpu", "h100"]


def test_a_hiring_assessments_submissions_never_reach_a_public_board(challenge):
    """A candidate's work belongs to the organisation that invited them, not to the public boards."""
    from tests.factories import AssessmentSubmissionFactory, ResultFactory, SubmissionFactory
    from tests.platform.leaderboards.helpers import version_of

    practising = user("practising")
    graded(user=practising, challenge=challenge, score=50.0)
    candidate = user("candidate-1")
    submission = SubmissionFactory(user=candidate, challenge_version=version_of(challenge))
    AssessmentSubmissionFactory(submission=submission)
    ResultFactory(submission=submission, verdict="accepted", score=100.0, metrics={"speedup": 3.0})
    assert _names(challenge_board(challenge=challenge)) == ["practising"]
    assert _names(global_board(device_class="cpu")) == ["practising"]
    leaderboards_rebuild()
    assert _names(challenge_board(challenge=challenge)) == ["practising"]
