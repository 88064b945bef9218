import pytest

from tests.conftest import REPO_ROOT
from tests.factories import synced_challenge


@pytest.fixture
def resnet(db):
    """A seed challenge with two starter files (solution.py, the entry, and model.py)."""
    return synced_challenge("resnet50-latency", root=REPO_ROOT / "challenges")
