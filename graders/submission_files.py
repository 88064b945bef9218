"""What a submission's files may be: one limits object and one validator, used by the web
form, the API serializer, `submission_create` and the grading pipeline alike."""
from __future__ import annotations

from dataclasses import dataclass


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
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_file_bytes:
        raise SubmissionFilesError(f"{name} is larger than {limits.max_file_bytes // 1024} KiB.")
    return size
