"""The shared response cache: anonymous reads come from it, nothing stale ever does, and throttling is shared.

In-process tests use the local-memory cache; the live tests run gunicorn (two workers) with
REDIS_URL pointing at the Redis on 127.0.0.1:6379, under a key prefix of their own.
"""

import time
import uuid
from types import SimpleNamespace

import httpx
import psycopg
import pytest
import redis
from django.http import HttpResponse

from apps.claims.models import Claim
from apps.core.api import caching
from tests.conftest import _make_curator, _test_database_url
from tests.servers import gunicorn_server

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"
CLAIMS = "/api/v1/claims/"


@pytest.fixture(autouse=True)
def _empty_local_cache():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True, scope="module")
def _data_older_than_a_second(django_db_setup):
    """The session's fixtures may have been loaded a moment ago, and answers dated within their data's last
    second are not kept (test_an_answer_dated_within_its_own_second_is_not_kept): that second ends first."""
    time.sleep(1)


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


def _kept(response) -> bool:
    """Whether ``response`` came from the cache: no URL was routed for it."""
    return response.wsgi_request.resolver_match is None


def test_answers_are_kept_per_accept_header(api_client):
    api_client.get(CLAIMS, HTTP_ACCEPT="application/json")
    assert _kept(api_client.get(CLAIMS, HTTP_ACCEPT="application/json"))
    refused = api_client.get(CLAIMS, HTTP_ACCEPT="text/html")
    assert refused.status_code == 406 and not _kept(refused)  # not the JSON kept for others


def test_answers_are_kept_per_host_since_their_links_name_it(api_client):
    api_client.get(CLAIMS, {"page_size": 2}, HTTP_HOST="localhost")
    here = api_client.get(CLAIMS, {"page_size": 2}, HTTP_HOST="localhost")
    there = api_client.get(CLAIMS, {"page_size": 2}, HTTP_HOST="127.0.0.1")
    assert _kept(here) and not _kept(there)
    assert here.json()["next"].startswith("http://localhost/")
    assert there.json()["next"].startswith("http://127.0.0.1/")


@pytest.fixture(scope="module")
def committed_curator_token(django_db_setup, django_db_blocker):
    """A curator's token committed before the tests run: a test that wrote one would turn the cache off (its
    transaction would have written), and prove nothing about credentials."""
    with django_db_blocker.unblock():
        user, token = _make_curator("cache-curator")
    yield token
    with django_db_blocker.unblock():
        user.delete()


def test_requests_with_credentials_are_never_answered_from_the_cache(api_client, committed_curator_token):
    api_client.get(CLAIMS, {"page_size": 50})
    anonymous = api_client.get(CLAIMS, {"page_size": 50})
    assert _kept(anonymous)
    assert all(item["notes"] is None for item in anonymous.json()["results"])
    refused = api_client.get(CLAIMS, {"page_size": 50}, HTTP_AUTHORIZATION="Token not-a-token")
    assert refused.status_code == 401  # the view judges the credentials, not the cache
    curated = api_client.get(CLAIMS, {"page_size": 50}, HTTP_AUTHORIZATION=f"Token {committed_curator_token}")
    assert curated.status_code == 200 and not _kept(curated)
    assert any(item["notes"] is not None for item in curated.json()["results"])


def test_an_answer_dated_within_its_own_second_is_not_kept(api_client, monkeypatch):
    claim = Claim.objects.filter(review_status="published").first()
    path = f"{CLAIMS}{claim.id}/"
    monkeypatch.setattr(caching, "time", SimpleNamespace(time=lambda: claim.updated_at.timestamp()))
    undated = api_client.get(path)
    assert undated.status_code == 200 and "Last-Modified" not in undated
    assert not _kept(api_client.get(path))  # reused, it would go undated until the next write
    monkeypatch.undo()
    assert "Last-Modified" in api_client.get(path)
    assert _kept(api_client.get(path))


@pytest.mark.parametrize(
    ("vary", "kept"), [(None, True), ("Accept, Cookie", True), ("Accept-Language", False), ("*", False)]
)
def test_an_answer_varying_on_what_the_key_leaves_out_is_not_kept(vary, kept):
    response = HttpResponse(b"{}")
    if vary:
        response["Vary"] = vary
    assert caching.keepable(response) is kept


def test_answers_rendered_by_other_code_are_not_reused(api_client, monkeypatch):
    api_client.get(CLAIMS)
    assert _kept(api_client.get(CLAIMS))
    monkeypatch.setattr(caching, "code_identity", lambda: "the-next-release")
    assert not _kept(api_client.get(CLAIMS))


def test_the_code_identity_changes_with_any_file_that_renders_answers(settings, tmp_path):
    template = tmp_path / "apps" / "reading" / "templates" / "page.html"
    template.parent.mkdir(parents=True)
    template.write_text("<p>one</p>")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("Django==5.2\n")
    settings.BASE_DIR = tmp_path
    identities = []
    try:
        for change in (lambda: None, lambda: template.write_text("<p>two</p>"), lambda: requirements.write_text("")):
            change()
            caching.code_identity.cache_clear()
            identities.append(caching.code_identity())
    finally:
        caching.code_identity.cache_clear()
    assert len(set(identities)) == 3


def test_a_write_in_the_reading_transaction_bypasses_the_cache(api_client):
    claim = Claim.objects.filter(review_status="published").first()
    before = api_client.get(f"{CLAIMS}{claim.id}/").json()
    Claim.objects.filter(pk=claim.pk).update(summary="Changed behind every service.")
    after = api_client.get(f"{CLAIMS}{claim.id}/").json()
    assert before["summary"] != after["summary"] == "Changed behind every service."


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
