"""Leaderboards and contests over HTTP: the boards' order and marks, paging, the user's own row;
contests listed, registered for (open / by invitation), their board frozen for participants
but live for organisers, and contest entries submitted through the API."""
import datetime

import pytest
from rest_framework.authtoken.models import Token

from contests.models import ContestSubmission
from tests.factories import ChallengeVersionFactory, InvitationFactory, ParticipantFactory
from tests.platform.api.conftest import Http
from tests.platform.contests.helpers import entry, make_contest
from tests.platform.leaderboards.helpers import graded
from tests.platform.leaderboards.helpers import user as make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board_challenge(db):
    return ChallengeVersionFactory(challenge__slug="fast-add").challenge


def test_a_challenge_board_ranks_by_score_then_speedup_and_marks_flags(anon, http, user, board_challenge):
    graded(user=make_user("ann"), challenge=board_challenge, score=80, speedup=1.5, ci=(1.4, 1.6))
    graded(user=make_user("bob"), challenge=board_challenge, score=80, speedup=1.8, flags=["noisy"], minutes=5)
    graded(user=make_user("cat"), challenge=board_challenge, score=40, speedup=0.5)
    board = anon.get("/api/leaderboards/fast-add/").json()
    assert [(r["rank"], r["username"]) for r in board["rows"]] == [(1, "bob"), (2, "ann"), (3, "cat")]
    assert board["size"] == 3 and board["device_class"] == "cpu" and board["me"] is None
    assert board["rows"][0]["flags"] == ["noisy"] and board["rows"][1]["speedup_ci"] == [1.4, 1.6]
    assert board["rows"][0]["entry_url"] == f"/leaderboards/entries/{board['rows'][0]['submission_id']}/"
    page = anon.get("/api/leaderboards/fast-add/?limit=1&offset=1").json()
    assert [(r["rank"], r["username"]) for r in page["rows"]] == [(2, "ann")]
    graded(user=user, challenge=board_challenge, score=10, speedup=0.2)
    assert http.get("/api/leaderboards/fast-add/?limit=1").json()["me"]["rank"] == 4
    assert anon.get("/api/leaderboards/fast-add/?device_class=h100").json()["rows"] == []
    assert anon.get("/api/leaderboards/nope/").status_code == 404
    assert anon.get("/api/leaderboards/fast-add/?limit=0").status_code == 400
    assert anon.get("/api/leaderboards/fast-add/?device_class=%00").status_code == 400


def test_the_global_board_sums_best_scores(anon, board_challenge):
    other = ChallengeVersionFactory(challenge__slug="other").challenge
    ann, bob = make_user("ann"), make_user("bob")
    graded(user=ann, challenge=board_challenge, score=70)
    graded(user=ann, challenge=other, score=50)
    graded(user=bob, challenge=board_challenge, score=100)
    board = anon.get("/api/leaderboards/").json()
    assert [(r["username"], r["total_score"], r["challenges"]) for r in board["rows"]] == [("ann", 120.0, 2), ("bob", 100.0, 1)]
    assert board["device_classes"] == ["cpu"]


def test_contests_are_listed_and_registered_for(http, anon, user):
    open_contest = make_contest(slug="open-race")
    invite_only = make_contest(slug="closed-race", registration="invite")
    listed = {c["slug"]: c for c in anon.get("/api/contests/").json()}
    assert listed["open-race"]["phase"] == "running" and listed["open-race"]["challenges"] == ["open-race-a", "open-race-b"]
    assert listed["open-race"]["registered"] is None
    registered = http.post("/api/contests/open-race/register/")
    assert registered.status_code == 201 and registered.json()["username"] == user.username
    assert http.post("/api/contests/open-race/register/").status_code == 201  # idempotent
    detail = http.get("/api/contests/open-race/").json()
    assert detail["registered"] is True and detail["submissions_left"] == open_contest.rate_limit_count and "Rules" in detail["rules_md"]
    refused = http.post("/api/contests/closed-race/register/")
    assert refused.status_code == 400 and "invitation" in refused.json()["detail"]
    InvitationFactory(contest=invite_only, user=user)
    assert http.post("/api/contests/closed-race/register/").status_code == 201
    assert anon.post("/api/contests/open-race/register/").status_code == 401
    assert http.get("/api/contests/nope/").status_code == 404 and http.post("/api/contests/nope/register/").status_code == 404


def test_the_contest_board_is_frozen_for_participants_and_live_for_organisers(live_server, http, user):
    organiser = make_user("org")
    contest = make_contest(slug="frozen-race", freeze=True, organisers=[organiser])
    ParticipantFactory(contest=contest, user=user)
    entry(contest=contest, who="early", score=50, at=contest.freeze_at - datetime.timedelta(minutes=5))
    entry(contest=contest, who="late", score=90)  # after the freeze
    frozen = http.get("/api/contests/frozen-race/board/").json()
    assert frozen["live"] is False and frozen["as_of"] and [r["username"] for r in frozen["rows"]] == ["early"]
    organiser_view = Http(live_server.url, Token.objects.create(user=organiser).key).get("/api/contests/frozen-race/board/").json()
    assert organiser_view["live"] is True and [r["username"] for r in organiser_view["rows"]] == ["late", "early"]
    cell = organiser_view["rows"][0]["cells"]["frozen-race-a"]
    assert cell["score"] == 90 and cell["verified"] is False and cell["demoted"] is False


def test_a_contest_entry_can_be_submitted_through_the_api(http, user, vector_add, queued):
    contest = make_contest(slug="api-race", challenges=[vector_add], rate_limit_count=1)
    body = {"challenge": "vector-add", "files": {"solution.py": "def add(a, b):\n    return a + b\n"}, "contest": "api-race"}
    unregistered = http.post("/api/submissions/", json=body)
    assert unregistered.status_code == 400 and "Register for this contest" in unregistered.json()["detail"]
    ParticipantFactory(contest=contest, user=user)
    created = http.post("/api/submissions/", json=body)
    assert created.status_code == 201, created.text
    assert ContestSubmission.objects.get().submission_id.hex == created.json()["id"].replace("-", "")
    limited = http.post("/api/submissions/", json=body)
    assert limited.status_code == 400 and "Rate limit" in limited.json()["detail"]
    misnamed = http.post("/api/submissions/", json={**body, "files": {"mine.py": "x"}})
    assert misnamed.status_code == 400 and "Unexpected file 'mine.py'" in misnamed.json()["detail"]
    assert http.post("/api/submissions/", json={**body, "contest": "nope"}).status_code == 404


def test_the_boards_fast_rows_are_exactly_what_their_schema_serializers_give(board_challenge):
    """The board endpoints build rows directly (for speed); the OpenAPI schema documents them with
    BoardRowOutput / GlobalRowOutput: both must give the same JSON."""
    import json

    from api.serializers_boards import BoardRowOutput, GlobalRowOutput, board_row_data, global_row_data
    from leaderboards.selectors import challenge_board, global_board

    graded(user=make_user("ann"), challenge=board_challenge, score=80, speedup=1.5, ci=(1.4, 1.6), flags=["noisy"])
    graded(user=make_user("bob"), challenge=board_challenge, score=40, speedup=None)
    rows = challenge_board(challenge=board_challenge)
    totals = global_board(device_class="cpu")
    assert len(rows) == 2 and len(totals) == 2
    same = lambda a, b: json.loads(json.dumps(a, default=str)) == json.loads(json.dumps(b, default=str))  # noqa: E731
    for row in rows:
        assert same(board_row_data(row), BoardRowOutput(row).data)
    for row in totals:
        assert same(global_row_data(row), GlobalRowOutput(row).data)
