"""catalog_sync: idempotent; a changed package becomes a new version; old submissions keep theirs."""
import pytest

from catalog.models import Challenge, ChallengeVersion
from catalog.services import catalog_sync
from submissions.models import Submission
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sync_twice_creates_one_version(package_copy):
    root = package_copy("vector-add").parent
    first = catalog_sync(roots=[root])
    second = catalog_sync(roots=[root])
    assert first.created == ["vector-add"]
    assert second.unchanged == ["vector-add"] and not second.created and not second.updated
    assert ChallengeVersion.objects.count() == 1


def test_changed_package_becomes_new_version_and_old_submissions_keep_theirs(package_copy):
    package = package_copy("vector-add")
    catalog_sync(roots=[package.parent])
    challenge = Challenge.objects.get(slug="vector-add")
    old_version = challenge.current_version
    submission = Submission.objects.create(user=UserFactory(), challenge_version=old_version, files={"solution.py": "x"})

    (package / "tests" / "oracle.py").write_text("def expected(*, a, b):\n    return (a.double() + b.double())\n")
    report = catalog_sync(roots=[package.parent])

    challenge.refresh_from_db()
    submission.refresh_from_db()
    assert report.updated == ["vector-add"]
    assert challenge.current_version.number == 2
    assert submission.challenge_version == old_version


def test_statement_is_rendered_and_sanitised(package_copy):
    package = package_copy("vector-add")
    (package / "statement.md").write_text("# Title\n\n<script>alert(1)</script>\n\n```python\nx = 1\n```\n")
    catalog_sync(roots=[package.parent])
    html = Challenge.objects.get(slug="vector-add").current_version.statement_html
    assert "<script>" not in html
    assert 'class="highlight"' in html and "<h1>" in html


def test_invalid_package_is_reported_not_fatal(package_copy):
    package = package_copy("vector-add")
    (package / "challenge.toml").write_text(package.joinpath("challenge.toml").read_text().replace('difficulty = "easy"', 'difficulty = "trivial"'))
    report = catalog_sync(roots=[package.parent])
    assert not report.created
    assert len(report.errors) == 1 and "challenge.toml: difficulty" in report.errors[0]


def test_removed_package_is_retired(package_copy):
    package = package_copy("vector-add")
    catalog_sync(roots=[package.parent])
    empty = package.parent.parent / "empty"
    empty.mkdir()
    report = catalog_sync(roots=[empty])
    assert report.deactivated == ["vector-add"]
    assert not Challenge.objects.get(slug="vector-add").is_active
