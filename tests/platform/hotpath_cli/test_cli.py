"""The `hotpath` CLI against a live site: log in, list, submit and wait, show status."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def hotpath(*args, env, timeout=300):
    return subprocess.run([sys.executable, "-m", "hotpath_cli.main", *args], capture_output=True, text=True, env=env, timeout=timeout)


@pytest.fixture
def cli_env(tmp_path, live_server):
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("HOTPATH_TOKEN", None)
    env["HOTPATH_URL"] = live_server.url
    return env


def test_login_submit_and_status(cli_env, tmp_path, user, vector_add, eager_grading):
    login = hotpath("login", "--username", user.username, env={**cli_env, "HOTPATH_PASSWORD": "correct-horse-battery"})
    assert login.returncode == 0, login.stderr
    saved = tmp_path / "hotpath" / "credentials.json"
    assert saved.is_file() and oct(saved.stat().st_mode & 0o777) == "0o600"

    listing = hotpath("challenges", env=cli_env)
    assert "vector-add" in listing.stdout

    solution = tmp_path / "mine.py"
    solution.write_text("def add(a, b):\n    return a + b\n")
    submit = hotpath("submit", "vector-add", str(solution), "--wait", env=cli_env)
    assert submit.returncode == 0, submit.stderr
    assert "verdict: accepted" in submit.stdout
    submission_id = submit.stdout.split()[1]
    assert "graded" in hotpath("status", submission_id, env=cli_env).stdout


def test_env_token_wins_and_errors_are_clear(cli_env, vector_add):
    bad = hotpath("status", "00000000-0000-0000-0000-000000000000", env={**cli_env, "HOTPATH_TOKEN": "not-a-token"})
    assert bad.returncode == 2 and "HTTP 401" in bad.stderr and "Traceback" not in bad.stderr
    missing = hotpath("submit", "vector-add", "/nonexistent.py", env={**cli_env, "HOTPATH_TOKEN": "x"})
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    unreachable = hotpath("challenges", env={**cli_env, "HOTPATH_URL": "http://127.0.0.1:9"})
    assert unreachable.returncode == 2 and "cannot reach" in unreachable.stderr
