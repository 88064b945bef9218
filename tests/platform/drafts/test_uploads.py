"""Uploads (plain files, a folder's files, a zip) are read under the submission rules: sizes are
refused before they are read (declared) and while they are (actual), so neither a large file nor a
zip bomb is held in memory; names from a zip are plain file names or refused; and the names must
be the challenge's. Through the editor's endpoint and through the plain form alike."""
import io
import struct
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from drafts.uploads import read_zip, uploaded_files, zip_of

pytestmark = pytest.mark.django_db

SOLUTION, MODEL = "def predict(frame, resolution, width):\n    return frame\n", "MEAN = STD = 0\n"


def _zip(entries: dict[str, bytes], *, name: str = "work.zip", compression=zipfile.ZIP_DEFLATED) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for path, data in entries.items():
            archive.writestr(path, data)
    return SimpleUploadedFile(name, buffer.getvalue())


def _read(version, *uploads):
    return uploaded_files(list(uploads), version=version)


def test_a_zip_of_the_files_or_of_their_folder_gives_the_files(resnet):
    version = resnet.current_version
    plain = {"solution.py": SOLUTION.encode(), "model.py": MODEL.encode()}
    assert _read(version, _zip(plain)) == {"solution.py": SOLUTION, "model.py": MODEL}
    folder = {"resnet/": b"", "resnet/solution.py": SOLUTION.encode(), "resnet/model.py": MODEL.encode(), "__MACOSX/resnet/._model.py": b"\x00"}
    assert _read(version, _zip(folder)) == {"solution.py": SOLUTION, "model.py": MODEL}


def test_the_download_zip_reads_back_to_the_same_files(resnet):
    files = {"solution.py": SOLUTION, "model.py": MODEL}
    archive = zip_of(files)
    assert archive == zip_of(dict(files))  # the same bytes each time
    assert read_zip(SimpleUploadedFile("x.zip", archive)) == files


def test_plain_files_and_a_folder_s_files_are_taken_by_name(resnet):
    version = resnet.current_version
    files = _read(version, SimpleUploadedFile("model.py", MODEL.encode()), SimpleUploadedFile("solution.py", SOLUTION.encode()))
    assert files == {"model.py": MODEL, "solution.py": SOLUTION}
    assert _read(version, SimpleUploadedFile("mine.py", SOLUTION.encode())) == {"solution.py": SOLUTION}  # one file: the entry file
    assert _read(version, SimpleUploadedFile("model.py", MODEL.encode())) == {"model.py": MODEL}  # ... unless it is named like one


@pytest.mark.parametrize("uploads, message", [
    ([SimpleUploadedFile("solution.py", b"x" * ((1 << 20) + 1))], "larger than 1024 KiB"),
    ([SimpleUploadedFile(f"f{n}.py", b"x") for n in range(17)], "at most 16 files"),
    ([SimpleUploadedFile("solution.py", b"\xff\xfe")], "not UTF-8"),
    ([SimpleUploadedFile("solution.py", b"a"), SimpleUploadedFile("helper.py", b"b")], "Unexpected file 'helper.py'"),
    ([SimpleUploadedFile("solution.py", b"a"), SimpleUploadedFile("solution.py", b"b")], "Two uploaded files"),
    ([SimpleUploadedFile("solution.py", b"a"), SimpleUploadedFile("w.zip", b"PK\x03\x04")], "one zip on its own"),
])
def test_bad_plain_uploads_are_refused_with_a_reason(resnet, uploads, message):
    with pytest.raises(ValidationError, match=message):
        _read(resnet.current_version, *uploads)


@pytest.mark.parametrize("path", ["../solution.py", "/solution.py", "a/../solution.py", "C:/solution.py", "a\\solution.py"])
def test_zip_names_that_point_anywhere_else_are_refused(resnet, path):
    with pytest.raises(ValidationError, match="not allowed"):
        _read(resnet.current_version, _zip({path: b"x", "model.py": b"y"}))


@pytest.mark.parametrize("entries, message", [
    ({"a/b/solution.py": b"x"}, "in a folder"),
    ({"a/solution.py": b"x", "b/model.py": b"y"}, "in a folder"),
    ({"solution.py": b"x", "a/solution.py": b"y"}, "in a folder"),
    ({".solution.py": b"x"}, "not allowed"),
    ({"helper.py": b"x", "solution.py": b"y"}, "Unexpected file"),
    ({f"f{n}.py": b"x" for n in range(17)}, "submit at most 16"),
    ({f"d{n}/": b"" for n in range(70)}, "entries"),
    ({"solution.py": b"\xff"}, "not UTF-8"),
])
def test_bad_zips_are_refused_with_a_reason(resnet, entries, message):
    with pytest.raises(ValidationError, match=message):
        _read(resnet.current_version, _zip(entries))


def test_a_zip_bomb_is_refused_by_its_declared_size_before_it_is_unpacked(resnet):
    one_big = _zip({"solution.py": b"\0" * (8 << 20)})  # 8 MiB of zeros pack into a few KiB
    assert one_big.size < 64 << 10
    with pytest.raises(ValidationError, match="would unpack to 8388608 bytes"):
        _read(resnet.current_version, one_big)
    several = _zip({"solution.py": b"\0" * (900 << 10), "model.py": b"\0" * (900 << 10), "x.py": b"\0" * (900 << 10)})
    with pytest.raises(ValidationError, match="submissions are limited to 2048 KiB"):
        _read(resnet.current_version, several)


def _lie_about_sizes(archive: bytes, declared: int) -> bytes:
    """The zip with its entries' uncompressed sizes rewritten (local headers and central directory)."""
    data = bytearray(archive)
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            struct.pack_into("<I", data, start + offset, declared)
            start += 4
    return bytes(data)


def test_a_zip_bomb_that_lies_about_its_size_is_refused_while_it_is_unpacked(resnet):
    honest = _zip({"solution.py": b"\0" * (8 << 20)}).read()
    lying = SimpleUploadedFile("bomb.zip", _lie_about_sizes(honest, declared=100))
    assert zipfile.ZipFile(io.BytesIO(lying.read())).infolist()[0].file_size == 100
    lying.seek(0)
    with pytest.raises(ValidationError, match="could not be read"):  # it stops after the declared bytes: their CRC is wrong
        _read(resnet.current_version, lying)


def test_an_encrypted_or_broken_zip_is_refused(resnet):
    honest = bytearray(_zip({"solution.py": b"x"}, compression=zipfile.ZIP_STORED).read())
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # the general-purpose flag's "encrypted" bit
        at = honest.find(signature)
        struct.pack_into("<H", honest, at + offset, 1)
    with pytest.raises(ValidationError, match="encrypted"):
        _read(resnet.current_version, SimpleUploadedFile("e.zip", bytes(honest)))
    with pytest.raises(ValidationError, match="could not be read"):
        _read(resnet.current_version, SimpleUploadedFile("broken.zip", b"PK\x03\x04 not really a zip"))
    with pytest.raises(ValidationError, match="larger than 2048 KiB"):
        _read(resnet.current_version, SimpleUploadedFile("huge.zip", b"PK\x03\x04" + b"\0" * (2 << 20)))


# -- the same reader behind the editor's endpoint and the plain form -------------------------------
def test_the_upload_endpoint_returns_the_files_unsaved(user, client, resnet):
    client.force_login(user)
    url = reverse("draft_upload", args=["resnet50-latency"])
    response = client.post(url, {"upload": _zip({"solution.py": SOLUTION.encode(), "model.py": MODEL.encode()})})
    assert response.status_code == 200 and response.json()["files"] == {"solution.py": SOLUTION, "model.py": MODEL}
    refused = client.post(url, {"upload": _zip({"../../etc/passwd": b"x"})})
    assert refused.status_code == 400 and "not allowed" in refused.json()["detail"]
    assert client.post(url, {}).status_code == 400


def test_the_plain_form_takes_a_zip_and_refuses_a_bomb_keeping_the_typed_files(user, client, resnet):
    from submissions.models import Submission

    client.force_login(user)
    url = reverse("challenge", args=["resnet50-latency"])
    bomb = _zip({"solution.py": b"\0" * (8 << 20)})
    page = client.post(url, {"code": "typed by hand", "file:model.py": MODEL, "upload": bomb})
    text = page.content.decode()
    assert page.status_code == 200 and "would unpack to" in text and "typed by hand" in text  # nothing typed is lost
    assert not Submission.objects.exists()
