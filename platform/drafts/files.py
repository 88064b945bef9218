"""The editor's file set for a challenge version: which starter files open as tabs, which names
a submission may hold, and the one check every editor path applies (the web form, the draft
endpoints, the upload reader). The rules themselves are graders.submission_files' (LIMITS and
check_names_for_challenge), the same the API and the grading pipeline apply."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from graders.submission_files import LIMITS, SubmissionFilesError, check_names_for_challenge, validate_submission_files

# A starter file larger than this is data for the statement (a profiler trace to read), not code
# to edit: the page offers it as a download and the editor leaves it out of the submission.
TAB_MAX_BYTES = 256 * 1024

FILE_FIELD_PREFIX = "file:"  # a form's textarea of each file but the entry file (whose field is "code")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


def allowed_names(version) -> list[str]:
    """The names a submission may use: the entry file and the starter files' names."""
    return sorted({version.entry_file, *version.starter_files})


def starter_tabs(version) -> dict[str, str]:
    """The files the editor opens with: the entry file first, then the other editable starter files."""
    files = {version.entry_file: version.starter_files.get(version.entry_file, "")}
    for name in sorted(version.starter_files):
        text = version.starter_files[name]
        if name != version.entry_file and len(text.encode("utf-8")) <= TAB_MAX_BYTES:
            files[name] = text
    return files


def data_files(version) -> list[dict]:
    """The starter files too large for a tab, each with its size: downloads, not editor files."""
    rows = [{"name": name, "size": len(text.encode("utf-8"))} for name, text in sorted(version.starter_files.items())]
    return [row for row in rows if row["size"] > TAB_MAX_BYTES and row["name"] != version.entry_file]


def ordered(files: dict[str, str], *, version) -> dict[str, str]:
    """The files with the entry file first, the rest by name (the order of the tabs)."""
    names = sorted(files, key=lambda name: (name != version.entry_file, name))
    return {name: files[name] for name in names}


def posted_files(data, *, entry_file: str) -> dict[str, str]:
    """The files a form posted: the entry file's text in `code`, each other file's in `file:NAME`
    (line ends made LF: browsers post a textarea's as CRLF; the editor, the CLI and starters use LF)."""
    files = {}
    if "code" in data:
        files[entry_file] = _lf(data.get("code", ""))
    for key in data:
        if key.startswith(FILE_FIELD_PREFIX):
            files[key[len(FILE_FIELD_PREFIX):]] = _lf(data.get(key, ""))
    return files


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n")


def check_files(*, version, files: object) -> dict[str, str]:
    """The files, if they keep the submission rules and are named like the challenge's files;
    else a ValidationError that says which rule and, for a name, which names the challenge takes."""
    try:
        validate_submission_files(files)  # type: ignore[arg-type]
        check_names_for_challenge(files, entry_file=version.entry_file, starter_files=version.starter_files)  # type: ignore[arg-type]
    except SubmissionFilesError as exc:
        raise ValidationError(str(exc)) from None
    return files  # type: ignore[return-value]


def limits_document() -> dict[str, int]:
    """The limits the page checks before the server does (a convenience: the server decides)."""
    return {"max_files": LIMITS.max_files, "max_file_bytes": LIMITS.max_file_bytes, "max_total_bytes": LIMITS.max_total_bytes}


def word_count(text: str) -> int:
    """Words in a written answer: runs of letters or digits, with inner apostrophes or hyphens
    (the editor's live count uses the same rule)."""
    return len(_WORD.findall(text))
