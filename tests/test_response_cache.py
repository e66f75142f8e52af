"""The shared response cache: anonymous reads come from it, nothing stale ever does, and throttling is shared.

In-process tests use the local-memory cache; the live tests run gunicorn (two workers) with
REDIS_URL pointing at the Redis on 127.0.0.1:6379, under a key prefix of their own.
"""

import uuid

import httpx
import psycopg
import pytest
import redis

from apps.claims.models import Claim
from tests.conftest import _test_database_url
from tests.servers import gunicorn_server

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"
CLAIMS = "/api/v1/claims/"


@pytest.fixture(autouse=True)
def _empty_local_cache():
    from django.core.cache import cache

    cache.clear()


def test_a_repeated_anonymous_read_costs_one_query_and_is_the_same_answer(api_client, django_assert_num_queries):
    first = api_client.get(CLAIMS, {"page_size": 20})
    with django_assert_num_queries(1):  # the snapshot the entry is keyed by
        again = api_client.get(CLAIMS, {"page_size": 20})
    assert (again.status_code, again.content, again["ETag"]) == (200, first.content, first["ETag"])
    assert again["Content-Type"] == first["Content-Type"] == "application/json"


def _rate_limit_left(response) -> int:
    return int(response["RateLimit"].split(";r=")[1].split(";")[0])


@pytest.mark.parametrize("path", [CLAIMS, "/api/v1/countries/UA/", "/api/v1/comparisons/", "/claims/", "/comparisons/"])
def test_a_kept_answer_is_given_before_any_view_with_the_same_headers(api_client, path):
    first = api_client.get(path)
    again = api_client.get(path)
    assert first.wsgi_request.resolver_match is not None
    assert again.wsgi_request.resolver_match is None  # no URL was routed: nothing below the cache ran
    assert again.content == first.content
    # Every header the view and the middlewares gave the first answer, the rate limit counted afresh.
    assert {name: value for name, value in again.items() if name != "RateLimit"} == {
        name: value for name, value in first.items() if name != "RateLimit"
    }
    assert _rate_limit_left(again) == _rate_limit_left(first) - 1


def test_a_claims_comparison_is_kept(api_client):
    claim = api_client.get("/api/v1/comparisons/").json()["results"][0]["claims"][0]["id"]
    first = api_client.get(f"{CLAIMS}{claim}/comparison/")
    again = api_client.get(f"{CLAIMS}{claim}/comparison/")
    assert (again.status_code, again.content) == (200, first.content)
    assert again.wsgi_request.resolver_match is None


def test_answers_are_kept_per_accept_header(api_client):
    assert api_client.get(CLAIMS, HTTP_ACCEPT="application/json").status_code == 200
    assert api_client.get(CLAIMS, HTTP_ACCEPT="text/html").status_code == 406  # not the JSON kept for others


def test_answers_are_kept_per_host_since_their_links_name_it(api_client):
    here = api_client.get(CLAIMS, {"page_size": 2}, HTTP_HOST="localhost").json()
    there = api_client.get(CLAIMS, {"page_size": 2}, HTTP_HOST="127.0.0.1").json()
    assert here["next"].startswith("http://localhost/") and there["next"].startswith("http://127.0.0.1/")


def test_requests_with_credentials_are_never_answered_from_the_cache(api_client, curator_client):
    api_client.get(CLAIMS)
    assert curator_client.get(CLAIMS).wsgi_request.resolver_match is not None
    refused = api_client.get(CLAIMS, HTTP_AUTHORIZATION="Token not-a-token")
    assert refused.status_code == 401  # the view judges the credentials, not the cache


def test_a_write_in_the_reading_transaction_bypasses_the_cache(api_client):
    claim = Claim.objects.filter(review_status="published").first()
    before = api_client.get(f"{CLAIMS}{claim.id}/").json()
    Claim.objects.filter(pk=claim.pk).update(summary="Changed behind every service.")
    after = api_client.get(f"{CLAIMS}{claim.id}/").json()
    assert before["summary"] != after["summary"] == "Changed behind every service."


def test_curators_are_never_answered_from_the_cache(api_client, curator_client):
    anonymous = api_client.get(CLAIMS, {"page_size": 50}).json()["results"]
    assert all(item["notes"] is None for item in anonymous)
    curated = curator_client.get(CLAIMS, {"page_size": 50}).json()["results"]
    assert any(item["notes"] is not None for item in curated)


@pytest.fixture(scope="module")
def redis_prefix():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis must run on 127.0.0.1:6379 (as on our machines and in CI)")
    prefix = f"claims-test-{uuid.uuid4().hex}"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def _server(django_db_blocker, prefix: str, **env):
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    return gunicorn_server(
        env={"DATABASE_URL": database_url, "REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix, **env},
        ready_path="/healthz",  # not throttled: the readiness probes count against no limit
    )


@pytest.mark.slow
def test_across_workers_nothing_stale_is_served_and_revalidation_is_a_304(django_db_blocker, redis_prefix):
    client_redis, prefix = redis_prefix
    with _server(django_db_blocker, prefix) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        url = f"{CLAIMS}?page_size=3"
        first = client.get(url)
        assert first.status_code == 200
        assert list(client_redis.scan_iter(f"{prefix}:*response:*"))  # stored for every worker to use
        for _ in range(4):  # both workers answer the same bytes
            assert client.get(url).content == first.content
        revalidated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
        assert (revalidated.status_code, revalidated.content) == (304, b"")

        claim = first.json()["results"][0]
        with django_db_blocker.unblock(), psycopg.connect(_test_database_url(), autocommit=True) as connection:
            original = connection.execute("SELECT summary FROM claims_claim WHERE id = %s", [claim["id"]]).fetchone()
            connection.execute("UPDATE claims_claim SET summary = 'Edited in SQL.' WHERE id = %s", [claim["id"]])
            try:
                for _ in range(4):
                    changed = client.get(url)
                    assert changed.json()["results"][0]["summary"] == "Edited in SQL."
                    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200
            finally:
                connection.execute("UPDATE claims_claim SET summary = %s WHERE id = %s", [original[0], claim["id"]])


@pytest.mark.slow
def test_throttling_counts_across_workers(django_db_blocker, redis_prefix):
    _, prefix = redis_prefix
    with _server(django_db_blocker, f"{prefix}-throttle", THROTTLE_ANON="6/hour") as server:  # no window ends mid-test
        statuses = []
        for _ in range(12):  # a new connection each time: the two workers share the requests
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                statuses.append(client.get("/api/v1/countries/", params={"page_size": 1}).status_code)
    assert statuses.count(200) == 6 and statuses.count(429) == 6, statuses
