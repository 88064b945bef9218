"""The `hotpath` CLI against a live site: log in, list, starter, submit --watch (live stages,
then the result table), status, history, leaderboard, contests; --json; exit statuses."""
from __future__ import annotations

import json
import time

import pytest

from graders.result import GradeResult
from submissions.models import Submission
from submissions.services import submission_record_result
from tests.factories import ChallengeVersionFactory
from tests.platform.contests.helpers import entry, make_contest
from tests.platform.hotpath_cli.conftest import run_cli, start_cli
from tests.platform.leaderboards.helpers import graded
from tests.platform.leaderboards.helpers import user as make_user

pytestmark = pytest.mark.django_db(transaction=True)

SOLUTION = "def add(a, b):\n    return a + b\n"


def test_login_saves_a_private_token_and_the_env_token_wins(cli_env, tmp_path, user, vector_add):
    login = run_cli("login", "--username", user.username, env={**cli_env, "HOTPATH_PASSWORD": "correct-horse-battery"})
    assert login.returncode == 0, login.stderr
    saved = tmp_path / "config" / "hotpath" / "credentials.json"
    assert saved.is_file() and oct(saved.stat().st_mode & 0o777) == "0o600"
    assert json.loads(saved.read_text())["url"] == cli_env["HOTPATH_URL"]
    listing = run_cli("challenges", env=cli_env)
    assert listing.returncode == 0 and "vector-add" in listing.stdout and "warm-up" not in listing.stdout
    assert " no " in listing.stdout  # logged in: a solved column
    bad = run_cli("history", "vector-add", env={**cli_env, "HOTPATH_TOKEN": "not-a-token"})
    assert bad.returncode == 2 and "HTTP 401" in bad.stderr and "Traceback" not in bad.stderr
    wrong = run_cli("login", "--username", user.username, env={**cli_env, "HOTPATH_PASSWORD": "nope"})
    assert wrong.returncode == 2 and "Unable to log in" in wrong.stderr


def test_starter_writes_the_files_and_submit_watch_shows_each_stage(token_env, workdir, user, vector_add, monkeypatch):
    starter = run_cli("starter", "vector-add", str(workdir / "va"), env=token_env)
    assert starter.returncode == 0, starter.stderr
    written = workdir / "va" / "solution.py"
    assert written.read_text() == vector_add.current_version.starter_files["solution.py"]
    again = run_cli("starter", "vector-add", str(workdir / "va"), env=token_env)
    assert again.returncode == 2 and "--force" in again.stderr
    written.write_text(SOLUTION)
    (workdir / "va" / "notes.txt").write_text("mine")

    from submissions.tasks import grade_submission
    monkeypatch.setattr(grade_submission, "apply_async", lambda *a, **k: None)  # this test plays the worker
    proc = start_cli("submit", "vector-add", str(workdir / "va"), "--watch", env=token_env)
    submission = _wait_for_submission()
    assert submission.files == {"solution.py": SOLUTION}  # notes.txt left out
    time.sleep(0.6)
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RUNNING)
    time.sleep(0.6)
    from graders.progress import clean
    from submissions.progress import progress_record
    progress_record(submission_id=submission.pk, event=clean({"stage": "correctness", "case_step": 2, "case_of": 3, "case": "n=1000"}))
    time.sleep(0.6)
    submission.refresh_from_db()
    submission_record_result(submission=submission, result=GradeResult(
        verdict="accepted", score=72.5, message="3 shapes correct",
        checks=[{"name": "correctness", "status": "pass", "detail": "3 shapes"}],
        metrics={"speedup": 1.4, "speedup_ci": [1.3, 1.5], "latency_ms": {"median": 0.2, "p10": 0.19, "p90": 0.22, "n": 40}}))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    stages = [line.split("] ", 1)[1] for line in err.splitlines() if line.startswith("[")]
    assert stages == ["queued: position 1 in the queue", "starting the sandbox", "correctness: case 2 of 3 (n=1000)", "result: accepted"], err
    assert "left out" in err and "notes.txt" in err
    assert f"submitted {submission.pk}" in out
    for text in ("verdict  accepted", "score    72.5", "1.4x (95% CI 1.3-1.5)", "0.2 ms median", "pass   correctness  3 shapes"):
        assert text in out, out

    status = run_cli("status", str(submission.pk), "--json", env=token_env)
    assert status.returncode == 0 and json.loads(status.stdout)["result"]["verdict"] == "accepted"
    history = run_cli("history", "vector-add", env=token_env)
    assert history.returncode == 0 and str(submission.pk)[:8] in history.stdout and "accepted" in history.stdout


def _wait_for_submission(timeout: float = 60) -> Submission:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        submission = Submission.objects.first()
        if submission is not None:
            return submission
        time.sleep(0.1)
    raise AssertionError("the CLI made no submission")


def test_a_real_grading_through_submit_watch(token_env, workdir, vector_add, eager_grading):
    mine = workdir / "mine.py"  # a single file is the entry file, whatever its name
    mine.write_text(SOLUTION)
    submit = run_cli("submit", "vector-add", str(mine), "--watch", "--json", env=token_env, timeout=300)
    assert submit.returncode == 0, submit.stderr
    result = json.loads(submit.stdout)
    assert result["status"] == "graded" and result["result"]["verdict"] == "accepted"


def test_exit_statuses(token_env, cli_env, workdir, user, vector_add, queued_nothing):
    wrong_answer = _graded_submission(user, vector_add, verdict="wrong_answer")
    assert run_cli("status", str(wrong_answer.pk), env=token_env).returncode == 0  # any verdict
    failed = _graded_submission(user, vector_add, verdict="internal_error")
    shown = run_cli("status", str(failed.pk), env=token_env)
    assert shown.returncode == 1 and "platform error" in shown.stdout
    assert run_cli("submit", "vector-add", "/nonexistent.py", env=token_env).returncode == 2
    (workdir / "a.py").write_text("x")
    (workdir / "b.py").write_text("y")
    refused = run_cli("submit", "vector-add", str(workdir / "a.py"), str(workdir / "b.py"), env=token_env)
    assert refused.returncode == 2 and "Unexpected file 'a.py', 'b.py'" in refused.stderr
    assert run_cli("submit", "nope", str(workdir / "a.py"), env=token_env).returncode == 2
    assert run_cli("submit", env=token_env).returncode == 2  # argparse
    unreachable = run_cli("challenges", env={**cli_env, "HOTPATH_URL": "http://127.0.0.1:9"})
    assert unreachable.returncode == 1 and "cannot reach" in unreachable.stderr
    as_json = run_cli("status", "00000000-0000-0000-0000-000000000000", "--json", env=token_env)
    assert as_json.returncode == 2 and json.loads(as_json.stdout)["http_status"] == 404


@pytest.fixture
def queued_nothing(monkeypatch):
    from submissions.tasks import grade_submission

    monkeypatch.setattr(grade_submission, "apply_async", lambda *a, **k: None)


def _graded_submission(user, challenge, *, verdict):
    submission = Submission.objects.create(user=user, challenge_version=challenge.current_version, files={"solution.py": "x"})
    return submission_record_result(submission=submission, result=GradeResult(verdict=verdict, message="retries ran out" if verdict == "internal_error" else "wrong"))


def test_leaderboard_of_a_challenge_a_contest_and_the_global_board(token_env, user, monkeypatch):
    challenge = ChallengeVersionFactory(challenge__slug="fast-add").challenge
    graded(user=make_user("ann"), challenge=challenge, score=80, speedup=1.5, ci=(1.4, 1.6), flags=["noisy"])
    graded(user=make_user("bob"), challenge=challenge, score=60, speedup=1.1)
    board = run_cli("leaderboard", "fast-add", env=token_env)
    assert board.returncode == 0, board.stderr
    lines = board.stdout.splitlines()
    assert lines[0] == "fast-add on cpu: 2 ranked"
    assert lines[2].split()[:3] == ["1", "ann", "80"] and "noisy" in lines[2] and "1.5x (95% CI 1.4-1.6)" in lines[2]
    assert lines[3].split()[:3] == ["2", "bob", "60"]
    contest = make_contest(slug="race")
    entry(contest=contest, who="cat", score=90)
    race = run_cli("leaderboard", "race", env=token_env)
    assert race.returncode == 0 and "contest race (live)" in race.stdout and "cat" in race.stdout
    overall = run_cli("leaderboard", "--json", env=token_env)
    assert [r["username"] for r in json.loads(overall.stdout)["rows"]][:2] == ["ann", "bob"]
    missing = run_cli("leaderboard", "nothing", env=token_env)
    assert missing.returncode == 2 and "no challenge or contest is named 'nothing'" in missing.stderr
    contests = run_cli("contests", env=token_env)
    assert contests.returncode == 0 and "race" in contests.stdout and "running" in contests.stdout
    register = run_cli("register", "race", env=token_env)
    assert register.returncode == 0 and f"registered for race as {user.username}" in register.stdout
