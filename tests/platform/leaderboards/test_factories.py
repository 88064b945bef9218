"""The leaderboards' and contests' factories build rows that save and validate (tests/platform/test_factories.py
covers the other apps)."""
import factory
import pytest
from django.apps import apps

from tests import factories

pytestmark = pytest.mark.django_db
MODELS = [m for app in ("leaderboards", "contests") for m in apps.get_app_config(app).get_models()]


def _factory_for(model):
    found = [v for v in vars(factories).values()
             if isinstance(v, type) and issubclass(v, factory.django.DjangoModelFactory) and v._meta.model is model]
    assert found, f"no factory for {model._meta.label}"
    return found[0]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_each_model_has_a_factory_that_makes_a_valid_row(model):
    row = _factory_for(model)()
    row.full_clean(exclude=["password", "package_archive"])
    assert model.objects.filter(pk=row.pk).exists()
