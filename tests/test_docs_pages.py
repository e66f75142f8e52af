"""The documentation pages `make run` serves: the OpenAPI document, Swagger UI and Redoc, all offline."""

import re

import pytest

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
