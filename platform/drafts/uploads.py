"""Reading uploaded files and zips into a submission's files, safely: every limit of
graders.submission_files.LIMITS is checked before the bytes are read (declared sizes) and while
they are (actual sizes), so neither a large upload nor a zip bomb is ever held in memory, and no
name from a zip can point anywhere but a plain file of the submission."""
from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError

from drafts.files import allowed_names, check_files
from graders.submission_files import LIMITS, SubmissionLimits

MAX_ZIP_ENTRIES = 4 * LIMITS.max_files  # folders and ignored entries included: a huge central directory is refused unread
_IGNORED_PREFIXES = ("__MACOSX/",)  # macOS's resource forks, added by its Archive Utility


class UploadError(ValidationError):
    """An upload that breaks a rule; the message says which."""


def uploaded_files(uploads: list, *, version, limits: SubmissionLimits = LIMITS) -> dict[str, str]:
    """The files in `uploads` (Django UploadedFiles: plain files, or one zip), checked against the
    challenge's names and the limits. One plain file whose name is not the challenge's is its
    entry file, as `manage.py grade SLUG FILE` takes it."""
    uploads = [upload for upload in uploads if upload]
    if not uploads:
        return {}
    if len(uploads) == 1 and _is_zip(uploads[0]):
        files = read_zip(uploads[0], limits=limits)
    elif any(_is_zip(upload) for upload in uploads):
        raise UploadError("Upload one zip on its own, or plain files.")
    else:
        files = _read_plain(uploads, limits=limits)
        if len(files) == 1 and next(iter(files)) not in allowed_names(version):
            files = {version.entry_file: next(iter(files.values()))}
    if not files:
        raise UploadError("The upload holds no files.")
    # Checked as part of a submission: the entry file may come from the editor (or the form's other
    # fields) instead, so an upload of model.py alone is fine, and counts with the entry file.
    check_files(version=version, files={version.entry_file: "", **files})
    return files


def _is_zip(upload) -> bool:
    if upload.name.lower().endswith(".zip"):
        return True
    head = upload.read(4)
    upload.seek(0)
    return head == b"PK\x03\x04"


def _read_plain(uploads: list, *, limits: SubmissionLimits) -> dict[str, str]:
    if len(uploads) > limits.max_files:
        raise UploadError(f"Upload at most {limits.max_files} files.")
    files: dict[str, str] = {}
    total = 0
    for upload in uploads:
        name = upload.name
        problem = limits.name_problem(name)
        if problem:
            raise UploadError(problem)
        if name in files:
            raise UploadError(f"Two uploaded files are named {name!r}.")
        if upload.size > limits.max_file_bytes:  # refused before it is read
            raise UploadError(f"{name} is larger than {limits.max_file_bytes // 1024} KiB.")
        total += upload.size
        if total > limits.max_total_bytes:
            raise UploadError(f"Uploads are limited to {limits.max_total_bytes // 1024} KiB in all.")
        files[name] = _text(name, upload.read(limits.max_file_bytes + 1))
    return files


def read_zip(upload, *, limits: SubmissionLimits = LIMITS) -> dict[str, str]:
    """The zip's files by plain name. Its entries may sit in one top-level folder (as a zipped
    folder does); anything else with a path, an absolute or `..` name, an encrypted entry, or a
    declared or actual size past the limits refuses the whole zip."""
    if upload.size > limits.max_total_bytes:
        raise UploadError(f"The zip is larger than {limits.max_total_bytes // 1024} KiB.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(upload.read(limits.max_total_bytes + 1)))
        entries = _entries(archive, limits=limits)
        files = {name: _text(name, _read_entry(archive, info, limits=limits)) for name, info in entries.items()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        # A bad CRC included: an entry that unpacks to more (or other) bytes than its header declares.
        raise UploadError(f"The zip could not be read ({exc}).") from None
    total = sum(len(text.encode("utf-8")) for text in files.values())
    if total > limits.max_total_bytes:
        raise UploadError(f"The zip's files are larger than {limits.max_total_bytes // 1024} KiB in all.")
    return files


def _entries(archive: zipfile.ZipFile, *, limits: SubmissionLimits) -> dict[str, zipfile.ZipInfo]:
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadError(f"The zip holds {len(infos)} entries; at most {limits.max_files} files are taken.")
    infos = [info for info in infos if not info.is_dir() and not info.filename.startswith(_IGNORED_PREFIXES)]
    for info in infos:
        _check_path(info.filename)
    if len(infos) > limits.max_files:
        raise UploadError(f"The zip holds {len(infos)} files; submit at most {limits.max_files}.")
    declared = sum(info.file_size for info in infos)
    for info in infos:
        if info.flag_bits & 0x1:
            raise UploadError(f"{info.filename} is encrypted; upload a plain zip.")
        if info.file_size > limits.max_file_bytes:
            raise UploadError(f"{info.filename} would unpack to {info.file_size} bytes; one file may hold {limits.max_file_bytes // 1024} KiB.")
    if declared > limits.max_total_bytes:
        raise UploadError(f"The zip would unpack to {declared} bytes; submissions are limited to {limits.max_total_bytes // 1024} KiB.")
    return _plain_names(infos, limits=limits)


def _check_path(path: str) -> None:
    parts = path.split("/")
    if path.startswith("/") or "\\" in path or ".." in parts or (len(parts[0]) >= 2 and parts[0][1] == ":"):
        raise UploadError(f"The zip entry {path!r} is not allowed: no absolute names, no '..', no backslashes.")


def _plain_names(infos: list[zipfile.ZipInfo], *, limits: SubmissionLimits) -> dict[str, zipfile.ZipInfo]:
    """Entries by file name, one top-level folder stripped when every entry is inside the same one."""
    paths = [info.filename.split("/") for info in infos]
    folders = {parts[0] for parts in paths if len(parts) > 1}
    strip = len(folders) == 1 and all(len(parts) == 2 for parts in paths)
    entries: dict[str, zipfile.ZipInfo] = {}
    for parts, info in zip(paths, infos):
        name_parts = parts[1:] if strip else parts
        if len(name_parts) != 1:
            raise UploadError(f"The zip entry {info.filename!r} is in a folder: zip the files themselves, or one folder of them.")
        name = name_parts[0]
        problem = limits.name_problem(name)
        if problem:
            raise UploadError(problem)
        if name in entries:
            raise UploadError(f"The zip holds {name!r} twice.")
        entries[name] = info
    return entries


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, *, limits: SubmissionLimits) -> bytes:
    # The declared size may lie: read at most one byte past the limit, whatever the header says.
    with archive.open(info) as handle:
        data = handle.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise UploadError(f"{info.filename} unpacks to more than {limits.max_file_bytes // 1024} KiB.")
    return data


def _text(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError(f"{name} is not UTF-8 text.") from None


def zip_of(files: dict[str, str]) -> bytes:
    """The files as a zip, the same bytes for the same files (fixed dates and order)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name].encode("utf-8"))
    return buffer.getvalue()
