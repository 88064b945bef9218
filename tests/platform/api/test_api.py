"""The REST API over HTTP: schema, catalog, submissions with a token, errors."""
import pytest

from submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


def test_schema_is_json_by_default_and_yaml_on_request(anon):
    response = anon.get("/api/schema/")
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.")
    assert "/api/submissions/" in response.json()["paths"]
    yaml = anon.get("/api/schema/?format=yaml")
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi:")
    assert anon.get("/api/schema/", headers={"Accept": "application/yaml"}).content.startswith(b"openapi:")


def test_catalog_lists_challenges_with_their_starter_files(anon, vector_add):
    data = anon.get("/api/challenges/").json()
    assert [c["slug"] for c in data] == ["vector-add"]
    assert data[0]["devices"] == ["cpu"] and data[0]["solved"] is None  # anonymous: no marker
    detail = anon.get("/api/challenges/vector-add/").json()
    assert detail["entry_file"] == "solution.py" and "def add" in detail["starter_files"]["solution.py"]
    missing = anon.get("/api/challenges/nope/")
    assert missing.status_code == 404 and missing.json() == {"detail": "no such challenge: nope"}
    assert anon.get("/api/challenges/?kind=written").json() == []


def test_submit_and_read_the_result_really_graded(http, vector_add, eager_grading):
    response = http.post("/api/submissions/", json={"challenge": "vector-add", "files": {"solution.py": "def add(a, b):\n    return a + b\n"}})
    assert response.status_code == 201, response.content
    detail = http.get(f"/api/submissions/{response.json()['id']}/").json()
    assert detail["status"] == "graded" and detail["stage"] == "done" and detail["device_class"] == "cpu"
    assert detail["result"]["verdict"] == "accepted" and detail["result"]["metrics"]["speedup"] > 0
    assert detail["log"] == detail["result"]["log"]


BAD_REQUESTS = [  # payload, status, the field named, its message
    ({"challenge": "vector-add", "files": {}}, 400, "files", "Submit at least one file."),
    ({"challenge": "vector-add", "files": {"../evil.py": "x"}}, 400, "files", "'../evil.py' is not allowed"),
    ({"challenge": "vector-add", "files": {".bashrc": "x"}}, 400, "files", "'.bashrc' is not allowed"),
    ({"challenge": "vector-add", "files": {"a\\b.py": "x"}}, 400, "files", "is not allowed"),
    ({"challenge": "vector-add", "files": {f"f{i}.py": "x" for i in range(17)}}, 400, "files", "Submit at most 16 files."),
    ({"challenge": "vector-add", "files": {"solution.py": "x" * ((1 << 20) + 1)}}, 400, "files", "solution.py is larger than 1024 KiB."),
    ({"challenge": "vector-add", "files": {"solution.py": "x\x00y"}}, 400, "files", "Null characters are not allowed."),
    ({"challenge": "vector-add", "files": {"solution.py": ["not", "text"]}}, 400, "files", "Not a valid string."),
    ({"challenge": "vector-add", "files": "solution.py"}, 400, "files", 'Expected a dictionary of items but got type "str".'),
    ({"challenge": "vector-add"}, 400, "files", "This field is required."),
    ({"challenge": "nope", "files": {"solution.py": "x"}}, 404, "detail", "no such challenge"),
    ({"challenge": "vector-add", "files": {"solution.py": "x"}, "device": "tpu"}, 400, "device", '"tpu" is not a valid choice.'),
    ({"challenge": "vector-add", "files": {"mine.py": "x"}}, 400, "files", "Unexpected file 'mine.py': this challenge takes solution.py."),
    ({"challenge": "vector-add", "files": {"solution.py": "x"}, "device_class": "H100!"}, 400, "device_class", "does not match"),
]


def test_bad_requests_get_clear_errors(http, vector_add):
    for payload, status, field, message in BAD_REQUESTS:  # one live-server test: each request stands alone
        response = http.post("/api/submissions/", json=payload)
        assert response.status_code == status, response.content
        assert response.headers["Content-Type"] == "application/json"
        body = response.json()
        assert set(body) == {"detail", field}, body  # the one field that is wrong, and a one-line summary
        text = body[field] if isinstance(body[field], str) else " ".join(_messages(body[field]))
        assert message in text and message in body["detail"], body
    assert not Submission.objects.exists()


def _messages(errors) -> list[str]:
    """DRF nests a DictField's errors by key: flatten them to their strings."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def test_submitting_needs_authentication(anon, vector_add):
    response = anon.post("/api/submissions/", json={"challenge": "vector-add", "files": {"solution.py": "x"}})
    assert response.status_code == 401 and "credentials were not provided" in response.json()["detail"]
    bad = anon.get("/api/submissions/", headers={"Authorization": "Token not-a-token"})
    assert bad.status_code == 401 and bad.json() == {"detail": "Invalid token."}


def test_a_token_comes_from_a_username_and_password(anon, user):
    good = anon.post("/api/token/", data={"username": user.username, "password": "correct-horse-battery"})
    assert good.status_code == 200 and len(good.json()["token"]) == 40
    bad = anon.post("/api/token/", json={"username": user.username, "password": "wrong"})
    assert bad.status_code == 400 and "Unable to log in" in bad.json()["detail"]
