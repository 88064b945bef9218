"""Hostile requests over HTTP: every one is a JSON 4xx with a message, never a 500 or HTML."""
import json

import pytest

from api.errors import MAX_BODY_BYTES
from submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def _refused(response, status=400, field="detail", text=""):
    assert response.status_code == status, (response.status_code, response.text[:500])
    assert response.headers["Content-Type"].startswith("application/json"), response.headers["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"], body
    assert field in body and text in json.dumps(body, ensure_ascii=False) + body["detail"], body
    return body


BAD_NAMES = [
    "a\x00.py", "sol\x01ution.py", "solution.py\n", "tab\there.py", "bell\x07.py", "del\x7f.py", "c1\x85.py",
    "evil\u202egnp.py",  # a right-to-left override that disguises the name
    "zero\u200bwidth.py", "line\u2028sep.py", "\ud800.py",  # a lone surrogate
]


def test_control_and_invisible_characters_in_a_file_name_are_400(http, vector_add):
    for name in BAD_NAMES:  # one live-server test for all: each request stands alone
        body = _refused(http.post("/api/submissions/", json={"challenge": "vector-add", "files": {name: "x = 1\n"}}), field="files")
        assert "not allowed" in body["detail"], name
    assert not Submission.objects.exists()


BAD_BODIES = [
    (b'{"challenge": "vector-add", "files": {"a\\u0000b.py": "x"}}', "not allowed"),
    (b'{"challenge": "vector-add", "files": {"solution.py": "\\ud800"}}', "Surrogate characters are not allowed"),
    (b'{"challenge": "vector-add", "files": {"solution.py": "x"}, "device": "\\ud800"}', "not a valid choice"),
    (b'{"challenge": "vector-\\u0000add", "files": {"solution.py": "x"}}', "slug"),
    (b'{"challenge": "vector-add", "files": {"solution.py": "x"', "JSON parse error"),
    (b'\xff\xfe not utf-8', "JSON parse error"),
    (b'{"challenge": NaN, "files": {}}', "JSON parse error"),
    (b'[1, 2, 3]', "Expected a dictionary"),
    (b'"just a string"', "Expected a dictionary"),
    (b'null', "No data provided"),
    (b'[' * 100_000 + b']' * 100_000, "JSON parse error"),
    (b'{"challenge": 7, "files": {"solution.py": "x"}}', "Enter a valid"),
    (b'{"challenge": "vector-add", "files": {"solution.py": 7}}', "Not a valid string"),
    (b'{"challenge": "vector-add", "files": {"solution.py": "x"}, "device_class": ["cpu"]}', "device_class"),
]


def test_malformed_or_mistyped_json_is_a_400(http, vector_add):
    for raw, text in BAD_BODIES:
        response = http.post("/api/submissions/", data=raw, headers={"Content-Type": "application/json"})
        _refused(response, text=text)
    assert not Submission.objects.exists()


def test_a_huge_body_is_refused_before_it_is_parsed(http, vector_add):
    big = b'{"challenge": "vector-add", "files": {"solution.py": "' + b"x" * MAX_BODY_BYTES + b'"}}'
    _refused(http.post("/api/submissions/", data=big, headers={"Content-Type": "application/json"}), status=413, text="larger than")


def test_other_content_types_and_methods_are_json_errors(http, vector_add):
    _refused(http.post("/api/submissions/", data={"challenge": "vector-add"}), status=415, text="Unsupported media type")
    _refused(http.delete("/api/challenges/"), status=405, text="not allowed")
    _refused(http.get("/api/submissions/not-a-uuid/"), status=404, text="no such API endpoint")
    _refused(http.get("/api/submissions/00000000-0000-0000-0000-000000000000/"), status=404, text="no such submission")
    _refused(http.get("/api/nothing-here/"), status=404, text="no such API endpoint")
    _refused(http.post("/api/submissions", json={}), status=404, text="did you mean /api/submissions/")
    _refused(http.get("/api/submissions/?limit=lots"), text="valid integer")
    _refused(http.get("/api/submissions/?limit=100000"), text="less than or equal to 500")


def test_someone_elses_submission_is_not_found(http, vector_add):
    from tests.factories import SubmissionFactory

    other = SubmissionFactory(challenge_version=vector_add.current_version)
    _refused(http.get(f"/api/submissions/{other.pk}/"), status=404, text="no such submission")
