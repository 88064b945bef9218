"""factory_boy factories for the platform's models."""
from __future__ import annotations

import factory
from django.contrib.auth.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct-horse-battery")


def synced_challenge(slug: str = "vector-add", root=None):
    """A challenge with one version, loaded from a package through the real sync service."""
    from catalog.services import challenge_version_sync
    from graders.spec import load_spec
    from tests.conftest import FIXTURE_CHALLENGES

    from catalog.models import Challenge

    challenge_version_sync(spec=load_spec((root or FIXTURE_CHALLENGES) / slug))
    return Challenge.objects.get(slug=slug)
