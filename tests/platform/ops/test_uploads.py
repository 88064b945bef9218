"""Request bodies and uploads are capped before they reach disk (ops.middleware, ops.uploads): a
300 MiB upload, streamed, is refused with a 413 that says why, having read next to nothing of it,
and no file appears in FILE_UPLOAD_TEMP_DIR, for anonymous and logged-in users, on the web
upload and the API."""
from __future__ import annotations

import os
import select
import socket
import tempfile
from urllib.parse import urlparse

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
BIG = 300 << 20
BOUNDARY = "hotpathboundary"


class StreamedBody:
    """A request body of `size` bytes made as it is read (never held whole): a multipart form
    with one file, or a JSON document; `read_bytes` counts what the server took."""

    def __init__(self, size: int, *, kind: str = "multipart"):
        if kind == "multipart":
            self.head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"solution.py\"\r\n"
                         "Content-Type: text/x-python\r\n\r\n").encode()
            self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        else:
            self.head, self.tail = b'{"challenge": "vector-add", "files": {"solution.py": "', b'"}}'
        self.size, self.read_bytes = size, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        out = bytearray()
        while len(out) < n:
            pos = self.read_bytes + len(out)
            if pos < len(self.head):
                out += self.head[pos:pos + n - len(out)]
            elif pos >= self.size - len(self.tail):
                start = pos - (self.size - len(self.tail))
                out += self.tail[start:start + n - len(out)]
            else:
                out += b"x" * min(n - len(out), self.size - len(self.tail) - pos)
        self.read_bytes += len(out)
        return bytes(out)

    readline = read


def post_streamed(client: Client, path: str, body: StreamedBody, *, content_type: str, **extra):
    return client.request(REQUEST_METHOD="POST", PATH_INFO=path, CONTENT_TYPE=content_type, CONTENT_LENGTH=str(body.size),
                          **{"wsgi.input": body}, **extra)


@pytest.fixture
def upload_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def _big_temp_files() -> set[str]:
    """Files of 1 MiB or more in the system temp dir (where Django would spill without the setting)."""
    root = tempfile.gettempdir()
    found = set()
    for name in os.listdir(root):
        path = os.path.join(root, name)
        try:
            if os.path.isfile(path) and os.path.getsize(path) >= 1 << 20:
                found.add(path)
        except OSError:
            continue
    return found


def _client(logged_in: bool, *, token: bool = False) -> Client:
    client = Client()
    if logged_in:
        user = UserFactory()
        if token:
            from rest_framework.authtoken.models import Token

            client.defaults["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
        else:
            client.force_login(user)
    return client


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_a_300_mib_web_upload_is_refused_unread(vector_add, upload_dir, logged_in):
    before = _big_temp_files()
    body = StreamedBody(BIG)
    response = post_streamed(_client(logged_in), "/challenges/vector-add/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 413
    assert "The request is larger than" in response.content.decode() and "nothing of it was kept" in response.content.decode()
    assert body.read_bytes == 0
    assert list(upload_dir.iterdir()) == [] and _big_temp_files() <= before


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "token"])
def test_a_300_mib_api_body_is_refused_unread(vector_add, upload_dir, logged_in):
    body = StreamedBody(BIG, kind="json")
    response = post_streamed(_client(logged_in, token=True), "/api/submissions/", body, content_type="application/json")
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert body.read_bytes == 0 and list(upload_dir.iterdir()) == []


@pytest.mark.parametrize("logged_in", [False, True], ids=["anonymous", "logged-in"])
def test_the_upload_handler_stops_a_file_at_its_cap_while_it_streams(vector_add, upload_dir, settings, logged_in):
    """With the body cap out of the way, the handler itself stops the 300 MiB file at its own cap."""
    settings.HOTPATH_MAX_REQUEST_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1 << 30
    before = _big_temp_files()
    body = StreamedBody(BIG)
    response = post_streamed(_client(logged_in), "/challenges/vector-add/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 413 and "The file 'solution.py' is larger than" in response.content.decode()
    assert body.read_bytes < settings.HOTPATH_MAX_UPLOAD_FILE_BYTES + (1 << 20)  # read up to the cap and a chunk, no further
    assert list(upload_dir.iterdir()) == [] and _big_temp_files() <= before


def test_an_upload_within_the_caps_still_submits(vector_add, upload_dir):
    client = _client(True)
    code = b"import torch\n\ndef add(a, b):\n    return a + b\n"
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/challenges/vector-add/", {"upload": SimpleUploadedFile("solution.py", code), "device_class": "cpu"})
    assert response.status_code == 302 and "/submissions/" in response["Location"]
    assert list(upload_dir.iterdir()) == []


def _raw_post(url: str, path: str, *, size: int, headers: str = "") -> tuple[bytes, int]:
    """POST `size` bytes of multipart over a raw socket, 1 MiB at a time, stopping as soon as the
    server answers; returns the answer and how much was sent."""
    where = urlparse(url)
    sock = socket.create_connection((where.hostname, where.port), timeout=30)
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: {where.hostname}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                  f"Content-Length: {size}\r\n{headers}\r\n").encode())
    sent, chunk, answer = 0, b"x" * (1 << 20), b""
    try:
        while sent < size and not select.select([sock], [], [], 0)[0]:
            sock.sendall(chunk)
            sent += len(chunk)
        while b"\r\n\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    finally:
        sock.close()
    return answer, sent


def test_a_live_server_refuses_a_300_mib_upload_over_a_raw_socket(live_server, vector_add, upload_dir):
    before = _big_temp_files()
    answer, sent = _raw_post(live_server.url, "/challenges/vector-add/", size=BIG)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 64 << 20, f"the server answered only after {sent >> 20} MiB"
    assert list(upload_dir.iterdir()) == [] and _big_temp_files() <= before


def test_a_body_too_large_for_memory_is_refused_not_spilled_to_disk(vector_add, upload_dir, settings):
    """Were the memory cap set below the request cap, the handler refuses the body: there is no
    temporary-file handler to write it to disk."""
    settings.HOTPATH_MAX_REQUEST_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1 << 30
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1 << 20
    body = StreamedBody(BIG)
    response = post_streamed(_client(True), "/challenges/vector-add/", body, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    assert response.status_code == 413 and "The request is larger than 1024 KiB" in response.content.decode()
    assert body.read_bytes == 0 and list(upload_dir.iterdir()) == []
    assert "django.core.files.uploadhandler.TemporaryFileUploadHandler" not in settings.FILE_UPLOAD_HANDLERS
