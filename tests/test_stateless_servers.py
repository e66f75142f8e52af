"""Two app servers on one database and one Redis, as behind a load balancer: any server serves any request."""

import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from tests.conftest import _test_database_url
from tests.servers import gunicorn_server

# django_db makes pytest-django create the test database even when this file runs alone.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]

REDIS_URL = "redis://127.0.0.1:6379/0"
PASSWORD = "a-long-and-unusual-passphrase-for-tests"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def fetch(url: str, *, cookies: dict[str, str] | None = None, data: dict | None = None, headers=None):
    """(status, headers, body) without following redirects; cookies sent as the browser would."""
    request_headers = dict(headers or {})
    if cookies:
        request_headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=request_headers)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def set_cookies(headers) -> dict[str, str]:
    found = {}
    for header in headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker):
    """Two gunicorn servers on the test database and one Redis (with a key prefix of their own).

    Module-scoped so that the curator is committed before any test's transaction: the servers
    are other processes."""
    from apps.accounts.services import curator_create

    username = f"roaming-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        user, _ = curator_create(username=username, password=PASSWORD)
        env = {
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "THROTTLE_ANON": "6/hour",  # an hour: a window ending mid-test would reset the count
        }
    try:
        with gunicorn_server(env=env) as first, gunicorn_server(env=env) as second:
            yield first.base_url, second.base_url, username
    finally:
        with django_db_blocker.unblock():
            user.delete()


def test_a_login_on_one_server_is_valid_on_the_other(two_servers):
    first, second, username = two_servers
    status, headers, page = fetch(f"{first}/admin/login/")
    assert status == 200
    cookies = set_cookies(headers)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _ = fetch(
        f"{first}/admin/login/?next=/admin/",
        cookies=cookies,
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": "/admin/"},
        headers={"Referer": f"{first}/admin/login/"},
    )
    assert status == 302, "logged in"
    session = set_cookies(headers)["sessionid"]

    status, _, page = fetch(f"{second}/admin/", cookies={"sessionid": session})
    assert status == 200, "the other server knows the session"
    assert username in page
    assert fetch(f"{second}/admin/")[0] == 302, "without the session, the admin sends you to log in"


def test_the_throttle_limit_holds_across_both_servers(two_servers):
    first, second, _ = two_servers
    statuses = []
    # Alternating servers and pages, so neither a process's memory nor a cached answer can help.
    for number in range(1, 9):
        base = first if number % 2 else second
        statuses.append(fetch(f"{base}/api/v1/claims/?page_size={number}")[0])
    assert statuses[:6] == [200] * 6
    assert statuses[6:] == [429, 429], statuses
