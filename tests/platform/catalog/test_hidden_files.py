"""Hidden files (spec, reference, hidden tests, known_bad) are never served, through any
public page or API endpoint."""
import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import FIXTURE_CHALLENGES

pytestmark = pytest.mark.django_db

HIDDEN_MARKERS = ["HIDDEN_REFERENCE_MARKER", "HIDDEN_TESTS_MARKER", "tests/oracle.py", "def expected", "a - b", "forbidden_calls"]
PROBES = [
    "/challenges/vector-add/reference/solution.py", "/challenges/vector-add/tests/inputs.py", "/challenges/vector-add/challenge.toml",
    "/challenges/vector-add/known_bad/wrong.py", "/static/../challenges/vector-add/reference/solution.py", "/api/challenges/vector-add/reference/",
    "/api/challenges/vector-add/?fields=package_archive", "/challenges/vector-add/editorial/?file=reference/solution.py",
    "/challenges/vector-add/starter/..%2Freference%2Fsolution.py", "/challenges/vector-add/starter/oracle.py", "/challenges/vector-add/starter/inputs.py",
]


def _public_paths(slug: str, submission_id: str) -> list[str]:
    """Every URL pattern in the site, filled in with a real slug and id (admin excluded)."""
    paths = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith("admin/"):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                filled = route.replace("<slug:slug>", slug).replace("<uuid:submission_id>", submission_id).replace("<str:name>", "solution.py")
                filled = filled.lstrip("^").rstrip("$")
                if "<" not in filled:
                    paths.append("/" + filled)

    walk(get_resolver().url_patterns)
    return paths


def test_no_public_page_or_endpoint_serves_hidden_content(client, user, vector_add):
    from submissions.models import Submission

    submission = Submission.objects.create(user=user, challenge_version=vector_add.current_version, files={"solution.py": "def add(a, b):\n    return a + b\n"})
    assert "SECRET_MARKER_STATEMENT_OK" in client.get("/challenges/vector-add/").content.decode()  # the probe can see served text
    paths = _public_paths("vector-add", str(submission.pk)) + PROBES
    assert len(paths) > 10
    for who in ("anonymous", "user"):
        if who == "user":
            client.force_login(user)
        for path in paths:
            for fmt in ("", "?format=json"):
                body = client.get(path + fmt).content.decode("utf-8", "replace")
                leaked = [m for m in HIDDEN_MARKERS if m in body]
                assert not leaked, f"{who} GET {path}{fmt} leaked {leaked}"


def test_fixture_package_really_holds_the_markers():
    """Guard: the markers exist in the hidden files, so the leak test can fail."""
    assert "HIDDEN_REFERENCE_MARKER" in (FIXTURE_CHALLENGES / "vector-add" / "reference" / "solution.py").read_text()
    assert "HIDDEN_TESTS_MARKER" in (FIXTURE_CHALLENGES / "vector-add" / "tests" / "inputs.py").read_text()


def test_starter_files_download(client, vector_add):
    response = client.get("/challenges/vector-add/starter/solution.py")
    assert response.status_code == 200 and b"def add" in response.content
    assert response["Content-Disposition"] == 'attachment; filename="solution.py"'
    assert client.get("/challenges/vector-add/starter/wrong.py").status_code == 404
