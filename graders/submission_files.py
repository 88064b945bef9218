"""What a submission's files may be: one limits object and one validator, used by the web
form, the API serializer, `submission_create` and the grading pipeline alike."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Control, format (bidi overrides, zero-width), separator and surrogate characters: never in a
# file name, which is shown in pages, logs and terminals and written to disk in the sandbox.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


@dataclass(frozen=True)
class SubmissionLimits:
    max_files: int = 16
    max_file_bytes: int = 1 << 20  # one file, UTF-8 encoded (a profiler trace a starter ships fits)
    max_total_bytes: int = 2 << 20  # all files together
    max_name_chars: int = 100

    def name_problem(self, name: object) -> str | None:
        """Why a file name is not allowed (a plain file name: no folders, not hidden), or None."""
        if not isinstance(name, str) or not name or len(name) > self.max_name_chars:
            return f"File name {name!r} is not allowed (1 to {self.max_name_chars} characters)."
        if "/" in name or "\\" in name or name.startswith(".") or "\x00" in name:
            return f"File name {name!r} is not allowed: a plain name, no folders, not starting with a dot."
        if any(unicodedata.category(char) in _UNPRINTABLE_CATEGORIES for char in name):
            return f"File name {name!r} is not allowed: it holds a control or invisible character."
        return None


LIMITS = SubmissionLimits()


class SubmissionFilesError(ValueError):
    """The files break a rule of `LIMITS`; the message says which, for the candidate."""


def validate_submission_files(files: dict[str, str], *, limits: SubmissionLimits = LIMITS) -> None:
    """Raise `SubmissionFilesError` unless `files` (name -> source text) keeps every rule."""
    if not isinstance(files, dict) or not files:
        raise SubmissionFilesError("Submit at least one file.")
    if len(files) > limits.max_files:
        raise SubmissionFilesError(f"Submit at most {limits.max_files} files.")
    total = 0
    for name, text in files.items():
        problem = limits.name_problem(name)
        if problem:
            raise SubmissionFilesError(problem)
        total += _checked_size(name, text, limits)
    if total > limits.max_total_bytes:
        raise SubmissionFilesError(f"Submissions are limited to {limits.max_total_bytes // 1024} KiB in all.")


def _checked_size(name: str, text: object, limits: SubmissionLimits) -> int:
    if not isinstance(text, str):
        raise SubmissionFilesError(f"{name} must be text.")
    if "\x00" in text:
        raise SubmissionFilesError(f"{name} contains NUL bytes; submit source text.")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate (JSON "\\ud800"): no database or file can hold it
        raise SubmissionFilesError(f"{name} is not valid Unicode text.") from None
    if size > limits.max_file_bytes:
        raise SubmissionFilesError(f"{name} is larger than {limits.max_file_bytes // 1024} KiB.")
    return size


def check_names_for_challenge(files: dict[str, str], *, entry_file: str, starter_files: dict[str, str] | list[str]) -> None:
    """Raise `SubmissionFilesError` unless the submission holds the challenge's entry file and
    every other file is named like one of its starter files. The platform checks this when a
    submission is made (web and API), so a misnamed file is refused with the names expected
    instead of being graded `runtime_error`. `python -m graders grade` does not: a local folder
    may hold helpers the grader ignores."""
    allowed = {entry_file, *starter_files}
    expected = ", ".join(sorted(allowed))
    unknown = sorted(str(name) for name in files if name not in allowed)
    if unknown:
        raise SubmissionFilesError(f"Unexpected file {', '.join(map(repr, unknown))}: this challenge takes {expected}.")
    if entry_file not in files:
        raise SubmissionFilesError(f"The submission needs its entry file {entry_file!r} (this challenge takes {expected}).")
