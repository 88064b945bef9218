"""CSRF on every form, an authorisation check on every object URL, sanitised Markdown.

The object walk goes through every URL pattern of the site: each one that takes an object id is
asked, by a logged-in user who is neither its owner, a member of its organisation nor staff, for
the owner's object, and must answer 403 or 404. A pattern whose parameters it does not know
fails the test until someone says what they are (OBJECT_KWARGS, PUBLIC_KWARGS, CAPABILITY_KWARGS)."""
from __future__ import annotations

import re
import secrets

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from catalog.markdown import render_markdown
from tests.conftest import REPO_ROOT
from tests.factories import (ContestChallengeFactory, ContestFactory, ContestSubmissionFactory, MembershipFactory, OrganisationFactory,
                             ResultFactory, SubmissionFactory, UserFactory)
from tests.platform.assessments import world as worlds

# An object's id: another user asking for it gets 403 or 404.
OBJECT_KWARGS = {"submission_id", "assessment_id", "invitation_id", "session_id", "other_id", "item_id", "review_id", "mark_id"}
# Public by design (a challenge, a contest, a board, a starter file), or scoped to the requester
# (their own history, their own draft): not another user's object.
PUBLIC_KWARGS = {"slug", "name"}
# A secret in the URL is the authorisation (a candidate's or a member's invitation link): a
# guessed one must find nothing.
CAPABILITY_KWARGS = {"token"}
DJANGO_OWN = {"password_reset_confirm"}  # Django's password reset checks its own token
# Refused with a message on the page they came from (a redirect): the walk then checks that the
# owner's object did not change.
REFUSED_WITH_A_MESSAGE = {"contest_disqualify", "contest_reinstate"}
MEMBER_SLUG_PREFIXES = ("orgs/",)  # a slug there names an organisation: members only


def _patterns(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern) == "admin/":
                continue  # the admin's own permission system (staff only); tested below
            namespace = f"{entry.namespace}:" if entry.namespace else ""
            yield from ((route, namespace + name if namespace and ":" not in name else name, keys)
                        for route, name, keys in _patterns(entry.url_patterns, prefix + str(entry.pattern)))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), str(entry.name), set(entry.pattern.regex.groupindex)


@pytest.fixture
def owners_world(db, vector_add):
    owner = UserFactory()
    org = OrganisationFactory()
    MembershipFactory(organisation=org, user=owner, role="owner")
    world = worlds.build(org, candidates=2)
    submission = SubmissionFactory(user=owner, challenge_version=vector_add.current_version)
    ResultFactory(submission=submission, verdict="wrong_answer", score=0.0)  # on no board
    contest = ContestFactory()
    ContestChallengeFactory(contest=contest, challenge=vector_add)
    entry = ContestSubmissionFactory(contest=contest, submission=submission)
    return {"entry": entry,
        "submission_id": str(submission.pk), "assessment_id": world["assessment"].pk, "invitation_id": world["invitations"][0].pk,
        "session_id": world["sessions"][0].pk, "other_id": world["sessions"][1].pk, "item_id": world["items"][0].pk,
        "review_id": world["reviews"][0].pk, "mark_id": world["marks"][0].pk, "org_slug": org.slug, "contest_slug": contest.slug,
    }


def _url(route: str, values: dict, keys: set[str]) -> str:
    slug = values["org_slug"] if route.startswith(MEMBER_SLUG_PREFIXES) else values["contest_slug"]
    fill = {**values, "slug": slug, "token": secrets.token_urlsafe(32)}
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(fill[m.group(1)]), route)
    return "/" + url.replace("^", "").replace("$", "")


def test_every_object_url_refuses_another_user(owners_world):
    stranger = Client()
    stranger.force_login(UserFactory())
    checked, unknown, leaks = [], [], []
    for route, name, keys in _patterns():
        if not keys or name in DJANGO_OWN:
            continue
        if keys - OBJECT_KWARGS - PUBLIC_KWARGS - CAPABILITY_KWARGS:
            unknown.append(f"{route} ({name}): {sorted(keys - OBJECT_KWARGS - PUBLIC_KWARGS - CAPABILITY_KWARGS)}")
            continue
        if not (keys & (OBJECT_KWARGS | CAPABILITY_KWARGS)) and not route.startswith(MEMBER_SLUG_PREFIXES):
            continue  # public, or the requester's own
        url = _url(route, owners_world, keys)
        response = stranger.get(url)
        if response.status_code == 405 or (response.status_code == 200 and keys & CAPABILITY_KWARGS):  # a confirm page: act
            response = stranger.post(url, {"reason": "x", "code": "x", "email": "mole@example.com"})
        checked.append(url)
        if not _refused(response, name):
            leaks.append(f"{name} {url}: {response.status_code}")
    assert not unknown, "URL parameters this test does not know; add them to its lists: " + "; ".join(unknown)
    assert not leaks, "another user's object answered: " + "; ".join(leaks)
    assert len(checked) >= 40, checked  # the walk really reached the object URLs
    owners_world["entry"].refresh_from_db()
    assert owners_world["entry"].disqualified_at is None


def _refused(response, name: str) -> bool:
    if response.status_code in (403, 404, 410):
        return True
    if response.status_code == 302 and "/login/" in response["Location"]:
        return True  # asked to log in as someone who may (staff pages)
    return response.status_code == 302 and name in REFUSED_WITH_A_MESSAGE


def test_the_admin_is_staff_only(db):
    client = Client()
    client.force_login(UserFactory())
    response = client.get("/admin/auth/user/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _callbacks(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from _callbacks(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry.callback


def test_only_the_api_is_exempt_from_django_csrf():
    """DRF's views are exempt at Django's level and enforce CSRF themselves for session log-ins
    (SessionAuthentication); a token carries no cookie to forge. Nothing else is exempt."""
    exempt = [route for route, callback in _callbacks() if getattr(callback, "csrf_exempt", False)]
    assert exempt and all(route.startswith("api/") for route in exempt), [r for r in exempt if not r.startswith("api/")]


@pytest.mark.django_db
def test_the_api_refuses_a_session_post_without_the_csrf_token(vector_add):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    response = client.post("/api/submissions/", {"challenge": "vector-add", "files": {"solution.py": "x"}}, content_type="application/json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]


def _templates():
    return sorted(p for p in (REPO_ROOT / "platform").rglob("templates/**/*.html"))


def test_every_post_form_carries_a_csrf_token():
    forms, missing = 0, []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, flags=re.S | re.I):
            if re.search(r"method\s*=\s*[\"']?post", match.group(0)[:300], flags=re.I):
                forms += 1
                if "{% csrf_token %}" not in match.group(1):
                    missing.append(f"{path.relative_to(REPO_ROOT)}: {match.group(0)[:80]!r}")
    assert forms >= 10 and not missing, missing


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/challenges/vector-add/", "/accounts/signup/"])
def test_a_post_without_the_csrf_token_is_refused(path, vector_add):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    assert client.post(path, {"username": "x", "password": "y", "code": "x"}).status_code == 403


@pytest.mark.parametrize("hostile, forbidden", [
    ("<script>alert(1)</script>", "<script"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', "data:"),
    ("<iframe src='https://evil.example'></iframe>", "<iframe"),
    ('<p style="position:fixed;inset:0">cover</p>', "style="),
    ("<svg><animate onbegin=alert(1)></svg>", "onbegin"),
])
def test_markdown_is_sanitised(hostile, forbidden):
    html = render_markdown(f"Some text.\n\n{hostile}\n")
    assert forbidden not in html.lower() and "Some text." in html
