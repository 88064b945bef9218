"""One function per command: call the API, print (a table, or the JSON with --json)."""
from __future__ import annotations

import getpass
import os
import time
from pathlib import Path

from hotpath_cli import render
from hotpath_cli.client import Api, PlatformError, UsageError, save_credentials, site_url

MAX_FILE_BYTES = 1 << 20  # the site's own limit (graders.submission_files); it says so too


def cmd_login(args, api: Api) -> int:
    url = (args.url or site_url()).rstrip("/")
    username = args.username or input("username: ")
    password = os.environ.get("HOTPATH_PASSWORD") or getpass.getpass("password: ")
    os.environ.pop("HOTPATH_TOKEN", None)  # log in with the password, not an old token
    answer = Api(url).post("/api/token/", {"username": username, "password": password}, auth=False, form=True)
    path = save_credentials(url=url, token=answer["token"])
    if args.json:
        render.emit_json({"url": url, "username": username, "saved": str(path)})
    else:
        print(f"logged in to {url} as {username} (token saved in {path})")
    return 0


def cmd_challenges(args, api: Api) -> int:
    params = {k: v for k, v in (("kind", args.kind), ("tag", args.tag)) if v}
    challenges = api.get("/api/challenges/", params=params)
    if args.json:
        render.emit_json(challenges)
        return 0
    rows = [[c["slug"], c["kind"], c["difficulty"], ",".join(c.get("devices") or []), c.get("solved"), c["title"]] for c in challenges]
    print(render.table(rows, ["slug", "kind", "difficulty", "devices", "solved", "title"]))
    return 0


def cmd_starter(args, api: Api) -> int:
    detail = api.get(f"/api/challenges/{_slug(args.slug)}/")
    target = Path(args.dir or args.slug)
    files = detail.get("starter_files") or {}
    for name in files:
        if Path(name).name != name or name.startswith(".") or not name:
            raise PlatformError(f"the site sent a starter file named {name!r}; not written")
    clashes = [name for name in files if (target / name).exists()]
    if clashes and not args.force:
        raise UsageError(f"{', '.join(str(target / n) for n in clashes)} already exist; use --force to overwrite")
    target.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    written = [str(target / name) for name in files]
    if args.json:
        render.emit_json({"challenge": detail["slug"], "dir": str(target), "entry_file": detail["entry_file"], "files": written})
    else:
        print("\n".join(written) or f"{detail['slug']} has no starter files")
        print(f"edit {target / detail['entry_file']}, then: hotpath submit {detail['slug']} {target} --watch")
    return 0


def _slug(value: str) -> str:
    if not value or not all(ch.isalnum() or ch in "-_" for ch in value):
        raise UsageError(f"{value!r} is not a challenge or contest slug")
    return value


def collect_files(paths: list[str], *, entry_file: str, starter_names: list[str]) -> dict[str, str]:
    """Files to send: a single file not named like a challenge file becomes the entry file; a
    folder gives its files named like the entry or starter files (others are left out, said on
    stderr); several files keep their names."""
    known = {entry_file, *starter_names}
    chosen: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.iterdir() if p.is_file()):
                if child.name in known:
                    chosen[child.name] = child
                elif not child.name.startswith("."):
                    render.progress(f"left out {child} (this challenge takes {', '.join(sorted(known))})")
        elif path.is_file():
            name = path.name if (path.name in known or len(paths) > 1) else entry_file
            chosen[name] = path
        else:
            raise UsageError(f"{path} does not exist")
    if not chosen:
        raise UsageError(f"no files to submit: this challenge takes {', '.join(sorted(known))}")
    return {name: _read(path) for name, path in chosen.items()}


def _read(path: Path) -> str:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise UsageError(f"{path} is larger than {MAX_FILE_BYTES // 1024} KiB")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text") from None


def cmd_submit(args, api: Api) -> int:
    detail = api.get(f"/api/challenges/{_slug(args.slug)}/")
    files = collect_files(args.paths, entry_file=detail["entry_file"], starter_names=list(detail.get("starter_files") or {}))
    body = {"challenge": args.slug, "files": files}
    body.update({k: v for k, v in (("device", args.device), ("device_class", args.device_class), ("contest", args.contest)) if v})
    submission = api.post("/api/submissions/", body)
    if not args.json:
        print(f"submitted {submission['id']}  ({', '.join(sorted(files))} to {args.slug} on {submission['device_class']})")
    if args.watch:
        return show(watch(api, submission["id"], timeout=args.timeout), args)
    if args.json:
        render.emit_json(submission)
    return 0


def watch(api: Api, submission_id: str, *, timeout: float) -> dict:
    """Poll until graded or failed, telling each new stage on stderr."""
    interval = float(os.environ.get("HOTPATH_POLL_S", "1"))
    start = time.monotonic()
    last = None
    while True:
        submission = api.get(f"/api/submissions/{submission_id}/", auth=True)
        progress = submission.get("progress") if isinstance(submission.get("progress"), dict) else {}
        stage = progress.get("label") or submission.get("stage") or submission["status"]
        if stage != last:
            render.progress(f"[{time.monotonic() - start:6.1f}s] {stage}")
            last = stage
        if submission["status"] in ("graded", "failed"):
            return submission
        if time.monotonic() - start > timeout:
            raise PlatformError(f"still {stage} after {timeout:g} s; `hotpath status {submission_id} --watch` keeps watching")
        time.sleep(interval)


def show(submission: dict, args) -> int:
    """Print a submission; a platform failure exits 1, any verdict 0."""
    if args.json:
        render.emit_json(submission)
    else:
        print(render.result_table(submission))
    return 1 if submission["status"] == "failed" else 0


def cmd_status(args, api: Api) -> int:
    submission = watch(api, args.id, timeout=args.timeout) if args.watch else api.get(f"/api/submissions/{args.id}/", auth=True)
    return show(submission, args)
