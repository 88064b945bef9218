"""The site's own error pages (web/error_views.py): with DEBUG off, no URL table, no traceback,
no settings; each page extends the site's layout and says where to go next."""
import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import MembershipFactory, SubmissionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_debug")]


@pytest.fixture
def no_debug(settings):
    settings.DEBUG = False


def _is_site_page(text: str, status: int) -> bool:
    return f'data-status="{status}"' in text and 'href="/static/web/site.css"' in text and 'id="main"' in text


def test_unknown_url_is_the_sites_404_without_the_url_table(client):
    response = client.get("/no/such/page/")
    text = response.content.decode()
    assert response.status_code == 404 and _is_site_page(text, 404)
    assert "Page not found" in text and reverse("catalog") in text and "/accounts/login/?next=/no/such/page/" in text
    for leak in ("URLconf", "urlpatterns", "api/schema", "admin/", "DEBUG = True", "Django tried these URL patterns"):
        assert leak not in text


def test_a_404_says_what_was_missing_when_the_code_said_it(client):
    text = client.get(reverse("challenge", args=["no-such-challenge"])).content.decode()
    assert "No such challenge." in text and _is_site_page(text, 404)


def test_another_users_submission_is_a_404_page_not_a_debug_page(client, user):
    submission = SubmissionFactory(user=UserFactory())
    client.force_login(user)
    response = client.get(reverse("submission", args=[submission.pk]))
    text = response.content.decode()
    assert response.status_code == 404 and _is_site_page(text, 404)
    assert "No such submission." in text and reverse("submissions") in text  # logged in: a way to their own
    assert submission.files["solution.py"] not in text


def test_a_role_that_may_not_act_gets_the_403_page(client):
    reviewer = UserFactory()
    membership = MembershipFactory(user=reviewer, role="reviewer")
    client.force_login(reviewer)
    response = client.get(reverse("assessments:assessment_new", args=[membership.organisation.slug]))
    text = response.content.decode()
    assert response.status_code == 403 and _is_site_page(text, 403)
    assert "Your role in this organisation does not allow this." in text
    assert "Traceback" not in text and "PermissionDenied" not in text


def test_a_server_error_is_the_500_page_with_no_traceback(monkeypatch):
    import web.views

    def broken(**kwargs):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(web.views, "catalog_facets", broken)
    response = Client(raise_request_exception=False).get(reverse("catalog"))
    text = response.content.decode()
    assert response.status_code == 500 and _is_site_page(text, 500)
    assert "Something went wrong on our side" in text
    for leak in ("secret-internal-detail", "Traceback", "RuntimeError", "web/views.py", "SECRET_KEY"):
        assert leak not in text


def test_the_500_page_answers_even_when_its_template_cannot_render(monkeypatch, rf):
    import django.template.loader

    from web import error_views

    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(django.template.loader, "render_to_string", broken)
    response = error_views.server_error(rf.get("/"))
    assert response.status_code == 500 and b"Something went wrong on our side" in response.content
    assert b"template engine down" not in response.content


def test_under_the_api_errors_are_json(rf):
    from web import error_views

    import json

    response = error_views.server_error(rf.get("/api/submissions/"))
    assert response.status_code == 500 and json.loads(response.content) == {"detail": "server error"}
    assert error_views.bad_request(rf.get("/api/submissions/")).status_code == 400


def test_a_bad_request_is_the_400_page(client):
    response = client.get("/", HTTP_HOST="evil.example.com")  # not in ALLOWED_HOSTS: DisallowedHost
    text = response.content.decode()
    assert response.status_code == 400 and _is_site_page(text, 400)
    assert "evil.example.com" not in text and "ALLOWED_HOSTS" not in text


def test_a_form_without_its_csrf_token_gets_the_csrf_page(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("logout"))
    text = response.content.decode()
    assert response.status_code == 403 and _is_site_page(text, 403)
    assert "This form could not be accepted" in text and "reload the page" in text
    assert "CSRF token" not in text and 'id="csrf-reason"' not in text  # Django's reason: DEBUG only


def test_with_debug_on_the_csrf_page_gives_djangos_reason(settings, user):
    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    text = client.post(reverse("logout")).content.decode()
    assert 'id="csrf-reason"' in text and "CSRF" in text


def test_the_handlers_are_the_sites():
    from django.urls import get_resolver

    from web import error_views

    resolver = get_resolver()
    assert resolver.resolve_error_handler(404) is error_views.page_not_found
    assert resolver.resolve_error_handler(500) is error_views.server_error
    assert resolver.resolve_error_handler(403) is error_views.permission_denied
    assert resolver.resolve_error_handler(400) is error_views.bad_request
