"""The documentation pages `make run` serves: the OpenAPI document, Swagger UI and Redoc, all offline."""

import os
import re
import urllib.request

import pytest

from tests.conftest import _test_database_url
from tests.servers import runserver

pytestmark = pytest.mark.django_db


def test_schema_is_served_as_openapi(api_client):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/claims/" in document["paths"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_documentation_pages_load_their_assets_from_this_server(client, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert assets, page[:500]
    assert all(asset.startswith("/static/drf_spectacular_sidecar/") for asset in assets), assets
    assert "cdn" not in page.lower()
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_admin_login_page_is_served(client):
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.slow
def test_make_run_serves_every_page_with_development_settings(django_db_setup):
    """What `make run` starts: runserver with the development settings, static files and all."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "claims_api.settings.development",
        "DATABASE_URL": _test_database_url(),
    }
    with runserver(env=env) as base:
        for path in [
            "/api/v1/claims/?page_size=1",
            "/api/schema/",
            "/api/docs/",
            "/api/redoc/",
            "/admin/login/",
            "/static/admin/css/base.css",
            "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
        ]:
            with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
                assert response.status == 200, path
