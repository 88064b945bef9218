"""ReDoc's page and bundle load nothing from outside the app (api/views/redoc.py, api/redoc.html)."""
import pytest

pytestmark = pytest.mark.django_db


def test_the_redoc_bundle_is_served_without_its_outside_logo(client):
    from api.views.redoc import REDOCLY_LOGO

    response = client.get("/api/docs/redoc/redoc.standalone.js")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert "Redoc" in body and len(body) > 100_000  # the whole bundle, not a stub
    assert REDOCLY_LOGO not in body and "cdn.redoc.ly" not in body


def test_the_redoc_page_loads_the_local_bundle_and_no_fonts_from_outside(client):
    text = client.get("/api/docs/redoc/").content.decode()
    assert '<script src="/api/docs/redoc/redoc.standalone.js">' in text and 'spec-url="/api/schema/"' in text
    assert "fonts.googleapis.com" not in text and "https://" not in text


def test_the_bundle_refuses_anything_but_get(client):
    assert client.post("/api/docs/redoc/redoc.standalone.js").status_code == 405
