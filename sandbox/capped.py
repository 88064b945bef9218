"""Output of a sandboxed job, read live and capped (both backends)."""
from __future__ import annotations

import threading
from collections import deque

MAX_LINE = 64 * 1024  # a longer "line" is kept in the data but never relayed


class CappedReader:
    """Drains a stream on a thread, keeping at most `cap` bytes and noting overflow.

    With `lines=True` it also queues each complete line of what it kept, for `relay()` to hand
    to a callback on the caller's thread (the job's `on_stdout_line`: live progress)."""

    def __init__(self, stream, cap: int, *, lines: bool = False) -> None:
        self.cap = cap
        self.chunks: list[bytes] = []
        self.kept = 0
        self.overflowed = False
        self.lines = lines
        self._partial = b""
        self._ready: deque[bytes] = deque()
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream) -> None:
        try:
            while chunk := stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536):
                self.feed(chunk)
        except (OSError, ValueError):
            pass
        finally:
            stream.close()

    def feed(self, chunk: bytes) -> None:
        room = self.cap - self.kept
        if room > 0:
            self.chunks.append(chunk[:room])
            self.kept += min(room, len(chunk))
            if self.lines:
                self._split(chunk[:room])
        if len(chunk) > room:
            self.overflowed = True

    def _split(self, data: bytes) -> None:
        *complete, self._partial = (self._partial + data).split(b"\n")
        for line in complete:
            if len(line) <= MAX_LINE:
                self._ready.append(line)
        if len(self._partial) > MAX_LINE:
            self._partial = self._partial[-MAX_LINE - 1:]  # an overlong line: never complete, never relayed whole

    def relay(self, callback) -> None:
        """Hand each complete line queued so far to `callback` (on the caller's thread). A
        callback that fails loses that line only: the job and its output are never affected."""
        while self._ready:
            line = self._ready.popleft()
            if callback is None:
                continue
            try:
                callback(line)
            except Exception:  # noqa: BLE001 - progress is best effort; the result decides
                pass

    def join(self) -> None:
        self._thread.join(timeout=5)

    def data(self) -> bytes:
        return b"".join(self.chunks)
