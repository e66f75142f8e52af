"""Nothing the project serves loads anything from another host: the API's documentation pages, the admin and
the reading room, opened in Chromium as a reader would, every request recorded.

The server (gunicorn and whitenoise, as deployed) is reached under a host name that is not localhost,
since Swagger UI, for one, behaves differently for a schema on localhost. Requests to any
other host are recorded and aborted, so the test never depends on, nor reaches, the outside network.
"""

from urllib.parse import urlsplit

import pytest

from tests.browser import committed_curator, launch_chromium, require_browser
from tests.conftest import _test_database_url
from tests.servers import gunicorn_server

HOST = "claims-api.test"

# django_db makes pytest-django create the test database even when this file runs alone.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def base_url(django_db_setup, django_db_blocker):
    require_browser("offline pages browser test")
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    env = {"DATABASE_URL": database_url, "ALLOWED_HOSTS": f"{HOST},127.0.0.1"}
    with gunicorn_server(env=env, ready_path="/static/admin/css/base.css") as server:
        yield server.base_url.replace("127.0.0.1", HOST)


@pytest.fixture(scope="module")
def curator_login(django_db_setup, django_db_blocker):
    with committed_curator(django_db_blocker, "offline-curator") as (user, password, _):
        yield user.username, password


def test_no_page_loads_anything_from_another_host(base_url, curator_login):
    from playwright.sync_api import sync_playwright

    requested: list[str] = []
    outside: list[str] = []

    def route(route):
        url = route.request.url
        requested.append(url)
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and urlsplit(url).hostname != HOST:
            outside.append(url)
            route.abort()
        else:
            route.continue_()

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright, f"--host-resolver-rules=MAP {HOST} 127.0.0.1")
        try:
            context = browser.new_context()
            context.route("**/*", route)
            page = context.new_page()

            page.goto(f"{base_url}/api/docs/", wait_until="networkidle")
            page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
            page.goto(f"{base_url}/api/redoc/", wait_until="networkidle")
            page.wait_for_selector("h1:has-text('claims_api')", timeout=30_000)
            page.goto(f"{base_url}/", wait_until="networkidle")

            username, password = curator_login
            page.goto(f"{base_url}/admin/login/?next=/admin/claims/claim/", wait_until="networkidle")
            page.fill("#id_username", username)
            page.fill("#id_password", password)
            page.click("input[type=submit]")
            page.wait_for_load_state("networkidle")
            assert urlsplit(page.url).path == "/admin/claims/claim/", page.url
            page.wait_for_selector("#result_list", timeout=30_000)
        finally:
            browser.close()

    assert outside == [], f"requests that left the server: {outside}"
    # The pages did load their assets, through this server: the recording is not vacuous.
    paths = {urlsplit(url).path for url in requested}
    for asset in [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js",
        "/api/schema/",
        "/static/admin/css/base.css",
    ]:
        assert asset in paths, asset
