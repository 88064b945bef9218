"""An upload handler that counts every file's bytes as they arrive and stops the upload at the
cap: nothing over HOTPATH_MAX_UPLOAD_FILE_BYTES is read further or kept. First in
FILE_UPLOAD_HANDLERS (hotpath.settings), before Django's memory handler and no other: a body too
large for memory is refused here, so no upload is ever written to FILE_UPLOAD_TEMP_DIR."""
from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class UploadTooLarge(Exception):
    """A request body or an uploaded file passed its cap; ops.middleware answers 413."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def too_large_message(*, what: str, limit: int) -> str:
    return f"{what} is larger than {limit // 1024} KiB, the most this site accepts; nothing of it was kept."


class CappedUploadHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        limit = min(settings.HOTPATH_MAX_REQUEST_BYTES, settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # what the memory handler takes
        if content_length and content_length > limit:
            raise UploadTooLarge(too_large_message(what="The request", limit=limit))
        return None  # parse on as usual

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.HOTPATH_MAX_UPLOAD_FILE_BYTES:
            raise UploadTooLarge(too_large_message(what=f"The file {self.file_name!r}", limit=settings.HOTPATH_MAX_UPLOAD_FILE_BYTES))
        return raw_data  # on to the memory handler

    def file_complete(self, file_size):
        return None  # the memory handler builds the file
