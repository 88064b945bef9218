"""`hotpath login | challenges | submit | status`.

The site's root URL and a token come from HOTPATH_URL and HOTPATH_TOKEN, which win over
what `hotpath login` saved (in ~/.config/hotpath/credentials.json, mode 0600).
"""
from __future__ import annotations

import argparse
import urllib.parse
import getpass
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CONFIG = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "hotpath" / "credentials.json"
DEFAULT_URL = "http://127.0.0.1:8000"


class CliError(Exception):
    pass


def credentials() -> tuple[str, str | None]:
    saved = json.loads(CONFIG.read_text()) if CONFIG.is_file() else {}
    url = os.environ.get("HOTPATH_URL") or saved.get("url") or DEFAULT_URL
    token = os.environ.get("HOTPATH_TOKEN") or saved.get("token")
    return url.rstrip("/"), token


def call(method: str, path: str, *, body: dict | None = None, auth: bool = True) -> dict | list:
    url, token = credentials()
    request = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Accept", "application/json")
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if auth:
        if not token:
            raise CliError("not logged in: run `hotpath login` or set HOTPATH_TOKEN")
        request.add_header("Authorization", f"Token {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise CliError(f"{method} {path}: HTTP {exc.code}: {_error_detail(exc)}") from None
    except urllib.error.URLError as exc:
        raise CliError(f"cannot reach {url}: {exc.reason}") from None


def cmd_login(args) -> None:
    url = (args.url or credentials()[0]).rstrip("/")
    os.environ["HOTPATH_URL"] = url
    username = args.username or input("username: ")
    password = os.environ.get("HOTPATH_PASSWORD") or getpass.getpass("password: ")
    data = urllib.parse.urlencode({"username": username, "password": password}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/api/token/", data=data, method="POST"), timeout=30) as response:
            token = json.loads(response.read())["token"]
    except urllib.error.HTTPError as exc:
        raise CliError(f"login failed: HTTP {exc.code} (wrong username or password?)") from None
    except urllib.error.URLError as exc:
        raise CliError(f"cannot reach {url}: {exc.reason}") from None
    CONFIG.parent.mkdir(parents=True, exist_ok=True)
    CONFIG.write_text(json.dumps({"url": url, "token": token}))
    CONFIG.chmod(0o600)
    print(f"logged in to {url} as {username}")


def _error_detail(exc: urllib.error.HTTPError) -> str:
    """The API's reason: its `detail`, or each field's messages (`files: Submit at most 16 files.`)."""
    try:
        body = json.loads(exc.read())
    except ValueError:
        return str(exc.reason)
    if not isinstance(body, dict):
        return str(exc.reason)
    if body.get("detail"):
        return str(body["detail"])
    fields = [f"{name}: {_flat(errors)}" for name, errors in body.items()]
    return "; ".join(fields) or str(exc.reason)


def _flat(errors) -> str:
    if isinstance(errors, dict):
        return " ".join(f"{key}: {_flat(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_flat(value) for value in errors)
    return str(errors)


def cmd_challenges(args) -> None:
    for c in call("GET", "/api/challenges/", auth=False):
        print(f"{c['slug']:32} {c['kind']:10} {c['difficulty']:7} {c['title']}")


def cmd_submit(args) -> None:
    path = Path(args.path)
    if not path.exists():
        raise CliError(f"{path} does not exist")
    detail = call("GET", f"/api/challenges/{args.slug}/", auth=False)
    files = {detail["entry_file"]: path.read_text()} if path.is_file() else {p.name: p.read_text() for p in sorted(path.iterdir()) if p.is_file()}
    body = {"challenge": args.slug, "files": files}
    if args.device:
        body["device"] = args.device
    submission = call("POST", "/api/submissions/", body=body)
    print(f"submitted {submission['id']}")
    if args.wait:
        show(wait(submission["id"]))


def wait(submission_id: str, timeout: float = 900) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        submission = call("GET", f"/api/submissions/{submission_id}/")
        if submission["status"] in ("graded", "failed") or time.monotonic() > deadline:
            return submission
        print(f"  {submission['status']}...", file=sys.stderr)
        time.sleep(2)


def cmd_status(args) -> None:
    show(wait(args.id) if args.wait else call("GET", f"/api/submissions/{args.id}/"))


def show(submission: dict) -> None:
    result = submission.get("result")
    print(f"{submission['id']}  {submission['challenge']} v{submission['version']}  {submission['status']}")
    if result:
        print(f"verdict: {result['verdict']}  score: {result['score']}\n{result['message']}")
        for check in result["checks"]:
            print(f"  [{check['status']}] {check['name']}: {check['detail']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotpath", description="Submit to a Hotpath site from the terminal.")
    sub = parser.add_subparsers(dest="command", required=True)
    login = sub.add_parser("login", help="get a token and save it")
    login.add_argument("--url", help=f"the site's root URL (default {DEFAULT_URL})")
    login.add_argument("--username")
    sub.add_parser("challenges", help="list the catalog")
    submit = sub.add_parser("submit", help="submit a file or folder")
    submit.add_argument("slug")
    submit.add_argument("path")
    submit.add_argument("--device", choices=["cpu", "cuda"])
    submit.add_argument("--wait", action="store_true", help="wait for the verdict")
    status = sub.add_parser("status", help="show a submission")
    status.add_argument("id")
    status.add_argument("--wait", action="store_true")
    args = parser.parse_args(argv)
    try:
        {"login": cmd_login, "challenges": cmd_challenges, "submit": cmd_submit, "status": cmd_status}[args.command](args)
    except CliError as exc:
        print(f"hotpath: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
