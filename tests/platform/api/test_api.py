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
    "payload, status",
    [
        ({"challenge": "vector-add", "files": {}}, 400),
        ({"challenge": "vector-add", "files": {"../evil.py": "x"}}, 400),
        ({"challenge": "vector-add"}, 400),
        ({"challenge": "nope", "files": {"solution.py": "x"}}, 404),
        ({"challenge": "vector-add", "files": {"solution.py": "x"}, "device": "tpu"}, 400),
    ],
)
def test_bad_requests_get_clear_errors(api, vector_add, payload, status):
    response = api.post("/api/submissions/", payload, format="json")
    assert response.status_code == status
    assert "detail" in response.json() or response.json()
    assert not Submission.objects.exists()


def test_submitting_needs_authentication(client, vector_add):
    assert client.post("/api/submissions/", {"challenge": "vector-add", "files": {"solution.py": "x"}}, content_type="application/json").status_code in (401, 403)
