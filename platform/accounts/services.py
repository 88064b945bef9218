"""Accounts: sign-up and the demo data."""
from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from rest_framework.authtoken.models import Token

DEMO_USERS = [
    {"username": "demo", "password": "hotpath-demo", "is_staff": False},
    {"username": "reviewer", "password": "hotpath-review", "is_staff": True},
    {"username": "admin", "password": "hotpath-admin", "is_staff": True, "is_superuser": True},
]


@transaction.atomic
def demo_seed() -> list[dict]:
    """Create the demo log-ins if missing (idempotent); returns them for printing."""
    created = []
    for spec in DEMO_USERS:
        user, made = User.objects.get_or_create(username=spec["username"], defaults={"is_staff": spec["is_staff"], "is_superuser": spec.get("is_superuser", False)})
        if made:
            user.set_password(spec["password"])
            user.save()
        Token.objects.get_or_create(user=user)
        created.append({"username": user.username, "password": spec["password"], "new": made, "staff": user.is_staff})
    return created
