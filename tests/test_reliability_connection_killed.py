"""A database connection that dies under a live server: a 503 in the error shape, then service as usual.

The server is the session's gunicorn on the test database. ``pg_terminate_backend`` kills its
connections from outside, as a failover or an administrator would: between requests, and while
a request waits for a table lock this test holds, so the request's own query fails half-way.
"""

import threading
import time

import httpx
import psycopg
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

ERROR_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


@pytest.fixture
def admin_connection(live_api):
    with psycopg.connect(live_api["database_url"], autocommit=True) as connection:
        yield connection


def _terminate_others(connection, *, waiting_for_a_lock: bool = False) -> int:
    condition = "AND wait_event_type = 'Lock'" if waiting_for_a_lock else ""
    connection.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view is read once
    rows = connection.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = current_database() AND pid <> pg_backend_pid() {condition}"
    ).fetchall()
    return len(rows)


def _client(live_api, *, curator: bool) -> httpx.Client:
    headers = {"Authorization": f"Token {live_api['token']}"} if curator else {}
    return httpx.Client(base_url=live_api["base_url"], headers=headers, timeout=30)


REQUESTS = {
    "list": ("claims_claim", False, "GET", "/api/v1/claims/?page_size=5", None),
    "search": ("claims_claim", False, "GET", "/api/v1/claims/?search=troops", None),
    "detail": ("claims_claim", False, "GET", "/api/v1/claims/{claim}/", None),
    "write": ("actors_actor", True, "POST", "/api/v1/actors/", {"slug": "killed-write", "name": "K", "kind": "other"}),
    # An answer kept by the response cache: the request dies checking the data version it was read at.
    "kept": ("core_data_version", False, "GET", "/api/v1/countries/?page_size=4", None),
}


def _published_claim(live_api) -> int:
    with _client(live_api, curator=False) as client:
        return client.get("/api/v1/claims/?page_size=1").json()["results"][0]["id"]


@pytest.mark.parametrize("name", REQUESTS)
def test_a_connection_killed_during_a_request_is_a_503_and_the_next_request_succeeds(live_api, admin_connection, name):
    table, curator, method, path, body = REQUESTS[name]
    path = path.format(claim=_published_claim(live_api))
    outcome = {}
    with _client(live_api, curator=curator) as client:
        if table == "core_data_version":
            # Kept by the worker at the other end of this client's kept-alive connection.
            assert client.get(path).status_code == client.get(path).status_code == 200
            with admin_connection.transaction():  # the view's table locked: only a kept answer gets through
                admin_connection.execute("LOCK TABLE countries_country IN ACCESS EXCLUSIVE MODE")
                assert client.get(path, timeout=5).status_code == 200
        with admin_connection.transaction():
            admin_connection.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            request = threading.Thread(target=lambda: outcome.update(response=client.request(method, path, json=body)))
            request.start()
            deadline = time.monotonic() + 20
            while not _terminate_others(admin_connection, waiting_for_a_lock=True):
                assert time.monotonic() < deadline, "the request never reached the locked table"
                time.sleep(0.05)
        request.join(30)
        response = outcome["response"]
        assert response.status_code == 503, response.text
        assert set(response.json()) == ERROR_KEYS and response.json()["code"] == "service_unavailable"
        assert int(response.headers["Retry-After"]) >= 1

        for _ in range(4):  # whichever worker thread answers, it has a working connection again
            again = client.request(method, path, json=body)
            assert again.status_code in (200, 201), again.text
            if method == "POST":
                assert client.delete(f"/api/v1/actors/{body['slug']}/").status_code == 204


@pytest.mark.parametrize("name", REQUESTS)
def test_connections_killed_between_requests_are_replaced_before_the_next_one(live_api, admin_connection, name):
    _, curator, method, path, body = REQUESTS[name]
    path = path.format(claim=_published_claim(live_api))
    with _client(live_api, curator=curator) as client:
        for _ in range(4):
            _terminate_others(admin_connection)
            # Django's health check finds the dead connection before the request's first query.
            response = client.request(method, path, json=body)
            assert response.status_code in (200, 201), response.text
            if method == "POST":
                assert client.delete(f"/api/v1/actors/{body['slug']}/").status_code == 204
