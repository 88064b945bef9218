"""`hotpath login | challenges | starter | submit | status | history | leaderboard | contests | register`.

Talks only to the site's REST API. The site's root URL and a token come from HOTPATH_URL and
HOTPATH_TOKEN, which win over what `hotpath login` saved. Exit status: 0 when the command did
what it was asked (any verdict), 1 on a platform error (site unreachable or failing, a
submission it could not grade), 2 on a usage error (bad arguments, unknown slug, refused files).
"""
from __future__ import annotations

import argparse
import sys

from hotpath_cli import boards, commands, render
from hotpath_cli.client import DEFAULT_URL, Api, CliError

WATCH_TIMEOUT_S = 1800
DESCRIPTION = (
    "Work with a Hotpath site from the terminal. HOTPATH_URL and HOTPATH_TOKEN win over `hotpath login`. "
    "Exit status: 0 done (any verdict), 1 platform error, 2 usage error."
)


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON (for scripts)")
    return common


def _watch_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--watch", "--wait", dest="watch", action="store_true", help="show each stage, then the result table")
    parser.add_argument("--timeout", type=float, default=WATCH_TIMEOUT_S, help=f"seconds to watch (default {WATCH_TIMEOUT_S})")


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(prog="hotpath", description=DESCRIPTION, parents=[common])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    login = sub.add_parser("login", parents=[common], help="get a token (password from HOTPATH_PASSWORD or a prompt) and save it")
    login.add_argument("--url", help=f"the site's root URL (default: HOTPATH_URL, the saved one, or {DEFAULT_URL})")
    login.add_argument("--username")
    challenges = sub.add_parser("challenges", parents=[common], help="list the catalog")
    challenges.add_argument("--kind")
    challenges.add_argument("--tag")
    starter = sub.add_parser("starter", parents=[common], help="write a challenge's starter files into DIR (default: ./SLUG)")
    starter.add_argument("slug")
    starter.add_argument("dir", nargs="?")
    starter.add_argument("--force", action="store_true", help="overwrite files that exist")
    submit = sub.add_parser("submit", parents=[common], help="submit files or a folder")
    submit.add_argument("slug")
    submit.add_argument("paths", nargs="+", metavar="PATH")
    submit.add_argument("--device", choices=["cpu", "cuda"])
    submit.add_argument("--device-class", help="cpu, h100... (see the site's live device classes)")
    submit.add_argument("--contest", help="submit as an entry of this contest")
    _watch_options(submit)
    status = sub.add_parser("status", parents=[common], help="show a submission")
    status.add_argument("id")
    _watch_options(status)
    history = sub.add_parser("history", parents=[common], help="your attempts at a challenge")
    history.add_argument("slug")
    board = sub.add_parser("leaderboard", parents=[common], help="a challenge's or a contest's board (no name: the global board)")
    board.add_argument("target", nargs="?", metavar="SLUG|CONTEST")
    board.add_argument("--device-class", help="the board's device class (default cpu)")
    board.add_argument("--limit", type=int, default=50)
    sub.add_parser("contests", parents=[common], help="list contests")
    register = sub.add_parser("register", parents=[common], help="register for a contest")
    register.add_argument("contest")
    return parser


COMMANDS = {
    "login": commands.cmd_login, "challenges": commands.cmd_challenges, "starter": commands.cmd_starter,
    "submit": commands.cmd_submit, "status": commands.cmd_status, "history": boards.cmd_history,
    "leaderboard": boards.cmd_leaderboard, "contests": boards.cmd_contests, "register": boards.cmd_register,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)  # a usage error exits 2 here (argparse)
    args.json = getattr(args, "json", False)
    try:
        return COMMANDS[args.command](args, Api() if args.command != "login" else None)
    except CliError as exc:
        if args.json:
            render.emit_json({"error": str(exc), "http_status": exc.http_status, "exit_status": exc.exit_status})
        print(f"hotpath: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("hotpath: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
