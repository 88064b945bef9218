"""The API client: where the site is, who we are, and what its answers mean for the exit status.

The site's root URL and a token come from HOTPATH_URL and HOTPATH_TOKEN, which win over
what `hotpath login` saved (in $XDG_CONFIG_HOME/hotpath/credentials.json, mode 0600).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import requests

DEFAULT_URL = "http://127.0.0.1:8000"
TIMEOUT_S = 30


class CliError(Exception):
    """Ends the command with a message on stderr and `exit_status`."""

    exit_status = 2

    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.http_status = http_status


class UsageError(CliError):
    """What the user asked for is wrong (bad arguments, unknown slug, refused files, no login): 2."""

    exit_status = 2


class PlatformError(CliError):
    """The site failed or could not be reached, or could not grade: 1."""

    exit_status = 1


def config_path() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "hotpath" / "credentials.json"


def saved_credentials() -> dict:
    path = config_path()
    try:
        saved = json.loads(path.read_text()) if path.is_file() else {}
    except (OSError, ValueError):
        raise UsageError(f"{path} is unreadable; run `hotpath login` again") from None
    return saved if isinstance(saved, dict) else {}


def save_credentials(*, url: str, token: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "w") as handle:
        json.dump({"url": url, "token": token}, handle)
    path.chmod(0o600)
    return path


def site_url() -> str:
    return (os.environ.get("HOTPATH_URL") or saved_credentials().get("url") or DEFAULT_URL).rstrip("/")


def token() -> str | None:
    return os.environ.get("HOTPATH_TOKEN") or saved_credentials().get("token")


class Api:
    """GET/POST against the site's /api/; every failure becomes a UsageError or a PlatformError."""

    def __init__(self, url: str | None = None):
        self.url = (url or site_url()).rstrip("/")
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "hotpath-cli/1"})

    def get(self, path: str, *, auth: bool = False, params: dict | None = None, allow_404: bool = False):
        return self._call("GET", path, auth=auth, params=params, allow_404=allow_404)

    def post(self, path: str, body: dict | None = None, *, auth: bool = True, form: bool = False):
        return self._call("POST", path, auth=auth, **({"data": body} if form else {"json": body}))

    def _call(self, method: str, path: str, *, auth: bool, allow_404: bool = False, **kwargs):
        headers = {}
        key = token()
        if key:
            headers["Authorization"] = f"Token {key}"
        elif auth:
            raise UsageError("not logged in: run `hotpath login` or set HOTPATH_TOKEN")
        try:
            response = self.session.request(method, self.url + path, headers=headers, timeout=TIMEOUT_S, **kwargs)
        except requests.RequestException as exc:
            raise PlatformError(f"cannot reach {self.url}: {_reason(exc)}") from None
        if allow_404 and response.status_code == 404:
            return None
        return _answer(method, path, response)


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    return "connection refused" if "refused" in text.lower() else text[:300]


def _answer(method: str, path: str, response: requests.Response):
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
        if response.ok:
            raise PlatformError(f"{method} {path}: the site answered HTTP {response.status_code} without JSON") from None
    if response.ok:
        return body
    detail = error_detail(body) or response.reason or "error"
    message = f"{method} {path}: HTTP {response.status_code}: {detail}"
    if response.status_code == 401:
        message += " (run `hotpath login`, or check HOTPATH_TOKEN)"
    if response.status_code == 429 or response.status_code >= 500:
        raise PlatformError(message, http_status=response.status_code)
    raise UsageError(message, http_status=response.status_code)


def error_detail(body) -> str:
    """The API's one-line `detail`, else each field's messages (`files: Submit at most 16 files.`)."""
    if not isinstance(body, dict):
        return ""
    if body.get("detail"):
        return str(body["detail"])
    return "; ".join(f"{name}: {_flat(errors)}" for name, errors in body.items())


def _flat(errors) -> str:
    if isinstance(errors, dict):
        return " ".join(f"{key}: {_flat(value)}" for key, value in errors.items())
    if isinstance(errors, list):
        return " ".join(_flat(value) for value in errors)
    return str(errors)
