import pytest

from tests.factories import UserFactory, synced_challenge


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def vector_add(db):
    return synced_challenge("vector-add")


@pytest.fixture
def eager_grading():
    """Run the grading task inline (the real-worker path has its own tests)."""
    from hotpath.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
