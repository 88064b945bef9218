"""history, leaderboard, contests, register: reads of boards and contests."""
from __future__ import annotations

from hotpath_cli import render
from hotpath_cli.client import Api, UsageError
from hotpath_cli.commands import _slug


def cmd_history(args, api: Api) -> int:
    attempts = api.get(f"/api/challenges/{_slug(args.slug)}/history/", auth=True)
    if args.json:
        render.emit_json(attempts)
        return 0
    rows = [[a["id"][:8], render.when(a["created_at"]), a["device_class"], a["status"],
             "awaiting review" if a.get("awaiting_review") else a["verdict"], a["score"], render.speedup(a["speedup"], a["speedup_ci"]),
             a.get("tier"), a.get("solved"), ",".join(a["flags"]) or None] for a in attempts]
    headers = ["id", "submitted", "class", "status", "verdict", "score", "speedup", "tier", "solved", "flags"]
    print(render.table(rows, headers) if rows else f"no attempts at {args.slug} yet")
    return 0


def cmd_leaderboard(args, api: Api) -> int:
    """A challenge's board, else a contest's, else (no name) the global board of the class."""
    params = {"device_class": args.device_class, "limit": args.limit}
    if not args.target:
        return _print_global(api.get("/api/leaderboards/", params=params), args)
    board = api.get(f"/api/leaderboards/{_slug(args.target)}/", params=params, allow_404=True)
    if board is not None:
        return _print_challenge(board, args)
    board = api.get(f"/api/contests/{args.target}/board/", allow_404=True)
    if board is None:
        raise UsageError(f"no challenge or contest is named {args.target!r} (see `hotpath challenges` and `hotpath contests`)")
    return _print_contest(board, args)


def _print_challenge(board: dict, args) -> int:
    if args.json:
        render.emit_json(board)
        return 0
    rows = [[r["rank"], r["username"], r["score"], render.speedup(r["speedup"], r["speedup_ci"]), render.when(r["submitted_at"]),
             ",".join(r["flags"]) or None, r["entry_url"]] for r in board["rows"]]
    print(f"{board['challenge']} on {board['device_class']}: {board['size']} ranked")
    print(render.table(rows, ["rank", "user", "score", "speedup", "submitted", "marks", "entry"]))
    if board.get("me"):
        print(f"you: rank {board['me']['rank']}, score {board['me']['score']:g}")
    return 0


def _print_global(board: dict, args) -> int:
    if args.json:
        render.emit_json(board)
        return 0
    rows = [[r["rank"], r["username"], r["total_score"], r["challenges"], render.when(r["last_improved_at"])] for r in board["rows"]]
    print(f"global board on {board['device_class']}: {board['size']} ranked")
    print(render.table(rows, ["rank", "user", "total", "challenges", "last improved"]))
    return 0


def _print_contest(board: dict, args) -> int:
    if args.json:
        render.emit_json(board)
        return 0
    state = "final" if board["final"] else ("live" if board["live"] else f"frozen as of {render.when(board['as_of'])}")
    print(f"contest {board['contest']} ({state})")
    rows = []
    for r in board["rows"]:
        cells = [r["cells"].get(slug) for slug in board["challenges"]]
        rows.append([r["rank"], r["username"], r["total_score"], render.speedup(r["speedup"])] + [_cell(c) for c in cells])
    print(render.table(rows, ["rank", "user", "total", "speedup", *board["challenges"]]))
    for d in board.get("disqualified") or []:
        print(f"disqualified: {d['username']} on {d['challenge_slug']}: {d['reason']}")
    return 0


def _cell(cell: dict | None) -> str:
    if cell is None:
        return "-"
    mark = " (demoted: " + cell["note"] + ")" if cell["demoted"] else (" (verified)" if cell["verified"] else "")
    return f"{cell['score']:g}{mark}"


def cmd_contests(args, api: Api) -> int:
    contests = api.get("/api/contests/")
    if args.json:
        render.emit_json(contests)
        return 0
    rows = [[c["slug"], c["phase"], render.when(c["starts_at"]), render.when(c["ends_at"]), c["device_class"], c["registration"],
             c["registered"], c["title"]] for c in contests]
    print(render.table(rows, ["slug", "phase", "starts", "ends", "class", "registration", "registered", "title"]) if rows else "no contests")
    return 0


def cmd_register(args, api: Api) -> int:
    registration = api.post(f"/api/contests/{_slug(args.contest)}/register/")
    if args.json:
        render.emit_json(registration)
    else:
        print(f"registered for {registration['contest']} as {registration['username']}")
    return 0
