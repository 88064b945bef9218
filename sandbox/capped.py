"""Output of a sandboxed job, read live and capped (both backends)."""
from __future__ import annotations

import threading


class CappedReader:
    """Drains a stream on a thread, keeping at most `cap` bytes and noting overflow."""

    def __init__(self, stream, cap: int) -> None:
        self.cap = cap
        self.chunks: list[bytes] = []
        self.kept = 0
        self.overflowed = False
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
        if len(chunk) > room:
            self.overflowed = True

    def join(self) -> None:
        self._thread.join(timeout=5)

    def data(self) -> bytes:
        return b"".join(self.chunks)
