"""The REST API: schema, catalog, submissions with a token."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from submissions.models import Submission

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_schema_is_json_by_default_and_yaml_on_request(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert response.json()["openapi"].startswith("3.")
    assert "/api/submissions/" in response.json()["paths"]
    yaml = client.get("/api/schema/?format=yaml")
    assert yaml.status_code == 200 and yaml.content.startswith(b"openapi:")


def test_catalog_lists_challenges(client, vector_add):
    data = client.get("/api/challenges/").json()
    assert [c["slug"] for c in data] == ["vector-add"]
    detail = client.get("/api/challenges/vector-add/").json()
    assert detail["entry_file"] == "solution.py" and "def add" in detail["starter_files"]["solution.py"]
    assert client.get("/api/challenges/nope/").status_code == 404


def test_submit_and_read_the_result(api, vector_add, eager_grading):
    response = api.post("/api/submissions/", {"challenge": "vector-add", "files": {"solution.py": "def add(a, b):\n    return a + b\n"}}, format="json")
    assert response.status_code == 201, response.content
    detail = api.get(f"/api/submissions/{response.json()['id']}/").json()
    assert detail["status"] == "graded"
    assert detail["result"]["verdict"] == "accepted" and detail["result"]["metrics"]["speedup"] > 0


@pytest.mark.parametrize(
    "payload, status, field, message",
    [
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
    ],
)
def test_bad_requests_get_clear_errors(api, vector_add, payload, status, field, message):
    response = api.post("/api/submissions/", payload, format="json")
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {field}, body  # the error names the one field that is wrong
    text = body[field] if isinstance(body[field], str) else " ".join(_messages(body[field]))
    assert message in text, body
    assert not Submission.objects.exists()


def _messages(errors) -> list[str]:
    """DRF nests a DictField's errors by key: flatten them to their strings."""
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in _messages(value)]
    if isinstance(errors, list):
        return [m for value in errors for m in _messages(value)]
    return [str(errors)]


def test_submitting_needs_authentication(client, vector_add):
    assert client.post("/api/submissions/", {"challenge": "vector-add", "files": {"solution.py": "x"}}, content_type="application/json").status_code in (401, 403)
