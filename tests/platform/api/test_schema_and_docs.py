"""The OpenAPI schema is valid OpenAPI 3 (checked by openapi-spec-validator) and documents every
endpoint; /api/docs/ is served with assets from the app itself, no CDN."""
import re

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db(transaction=True)

ENDPOINTS = [
    "/api/challenges/", "/api/challenges/{slug}/", "/api/challenges/{slug}/history/", "/api/submissions/",
    "/api/submissions/{submission_id}/", "/api/device-classes/", "/api/webhook/", "/api/webhook/deliveries/",
    "/api/leaderboards/", "/api/leaderboards/{slug}/", "/api/contests/", "/api/contests/{slug}/",
    "/api/contests/{slug}/register/", "/api/contests/{slug}/board/",
]


def test_the_schema_validates_as_openapi_3_in_json_and_yaml(anon):
    as_json = anon.get("/api/schema/").json()
    validate(as_json)
    assert yaml.safe_load(anon.get("/api/schema/?format=yaml").content) == as_json
    assert set(ENDPOINTS) <= set(as_json["paths"]), sorted(as_json["paths"])
    create = as_json["paths"]["/api/submissions/"]["post"]
    assert {"201", "400", "404"} <= set(create["responses"])
    fields = as_json["components"]["schemas"]["SubmissionInput"]["properties"]
    assert {"challenge", "files", "device", "device_class", "contest"} <= set(fields)
    assert {"stage", "result", "log"} <= set(as_json["components"]["schemas"]["SubmissionOutput"]["properties"])
    assert "tokenAuth" in as_json["components"]["securitySchemes"]


def test_the_docs_page_loads_its_assets_from_the_app(anon):
    page = anon.get("/api/docs/")
    assert page.status_code == 200 and "swagger-ui" in page.text
    assets = set(re.findall(r'(?:src|href)="([^"]+)"', page.text))
    assert assets and not [a for a in assets if a.startswith(("http:", "https:", "//"))], assets
    for asset in assets:
        assert anon.get(asset).status_code == 200, asset
    assert "/api/schema/" in page.text
    redoc = anon.get("/api/docs/redoc/")
    assert redoc.status_code == 200 and "redoc" in redoc.text.lower() and "cdn." not in redoc.text


def test_the_api_root_points_at_the_schema_and_docs(anon):
    assert anon.get("/api/").json()["docs"] == "/api/docs/"
