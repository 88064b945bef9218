"""A factory for every model of the platform's apps, and each one builds a row that saves and validates."""
import factory
import pytest
from django.apps import apps

from tests import factories

pytestmark = pytest.mark.django_db
PLATFORM_APPS = ("accounts", "catalog", "submissions", "reviews", "api", "web", "webhooks", "workers", "assessments")


def _factories() -> dict:
    found = {}
    for value in vars(factories).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory) and value._meta.model:
            found[value._meta.model] = value
    return found


def test_every_platform_model_has_a_factory():
    models = {m for app in PLATFORM_APPS for m in apps.get_app_config(app).get_models()}
    assert models, "no platform models found"
    assert models - set(_factories()) == set()


@pytest.mark.parametrize("model", sorted(_factories(), key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_each_factory_makes_a_valid_row(model):
    row = _factories()[model]()
    row.full_clean(exclude=["password", "package_archive"])  # hashed password / empty archive: valid as stored
    assert model.objects.filter(pk=row.pk).exists()


def test_a_version_factory_makes_the_current_version():
    version = factories.ChallengeVersionFactory()
    assert version.challenge.current_version == version
    old = factories.ChallengeVersionFactory(challenge=version.challenge, current=False)
    version.challenge.refresh_from_db()
    assert version.challenge.current_version == version and old.number != version.number
