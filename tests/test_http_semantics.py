"""HTTP done properly: RFC 9457 problems, 201 with Location, conditional GETs and caching, CORS for reads."""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rest_framework.test import APIClient

from apps.accounts.services import curator_create
from apps.actors.models import Actor
from apps.claims.models import Claim

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = "/api/v1/claims/"
ORIGIN = "https://reader.example"


def test_errors_are_problem_documents_that_say_where_the_bad_value_was_sent(api_client, curator_client):
    query = api_client.get(CLAIMS, {"kind": "nope", "page_size": 5})
    assert query.status_code == 400
    assert query["Content-Type"] == "application/problem+json"
    body = query.json()
    assert body["type"] == "tag:claims-api,2026:problem:invalid"
    assert body["title"] == "Bad Request"
    assert body["instance"] == "/api/v1/claims/?kind=nope&page_size=5"
    assert [(e["field"], e["in"], e["code"]) for e in body["errors"]] == [("kind", "query", "invalid_choice")]

    write = curator_client.post("/api/v1/actors/", {"slug": "no name", "kind": "other"}, format="json")
    assert write.status_code == 400
    assert write["Content-Type"] == "application/problem+json"
    assert write.json()["instance"] == "/api/v1/actors/"
    assert {(e["field"], e["in"]) for e in write.json()["errors"]} == {("slug", "body"), ("name", "body")}

    missing = api_client.get("/api/v1/nothing-here/")
    assert missing["Content-Type"] == "application/problem+json"
    assert (missing.json()["type"], missing.json()["title"]) == ("tag:claims-api,2026:problem:not_found", "Not Found")


def test_a_create_answers_201_with_the_location_of_the_new_resource(curator_client):
    created = curator_client.post(
        "/api/v1/actors/", {"slug": "located-actor", "name": "Located", "kind": "other"}, format="json"
    )
    assert created.status_code == 201
    assert created["Location"] == "http://testserver/api/v1/actors/located-actor/"
    assert curator_client.get(created["Location"]).json() == created.json()


@pytest.mark.parametrize("path", [CLAIMS, "/api/v1/actors/", "/api/v1/countries/", "/api/v1/sources/"])
def test_anonymous_lists_are_publicly_cacheable_and_revalidate_with_304(api_client, path):
    first = api_client.get(path)
    assert first.status_code == 200
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    assert api_client.head(path)["ETag"] == etag  # curl -I gets the same validator
    assert api_client.head(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    again = api_client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert (again["ETag"], again["Cache-Control"]) == (etag, "public, max-age=60")
    assert "RateLimit" in again and "RateLimit-Policy" in again
    # Another page of the same list is another representation.
    assert api_client.get(path, {"page_size": 1}, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_list_validator_changes_when_what_it_shows_changes(api_client, curator_client):
    claim = Claim.objects.filter(review_status="published", subject__isnull=False).select_related("subject").first()
    path = f"{CLAIMS}?subject={claim.subject.slug}"
    etag = api_client.get(path)["ETag"]
    response = curator_client.patch(
        f"/api/v1/actors/{claim.subject.slug}/", {"name": f"{claim.subject.name} (renamed)"}, format="json"
    )
    assert response.status_code == 200
    changed = api_client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_detail_revalidates_with_its_strong_etag(api_client):
    claim = Claim.objects.filter(review_status="published").first()
    path = f"{CLAIMS}{claim.id}/"
    anonymous = api_client.get(path)
    assert api_client.get(path, HTTP_IF_NONE_MATCH=anonymous["ETag"]).status_code == 304
    assert api_client.get(path, HTTP_IF_NONE_MATCH='"something else"').status_code == 200
    # A curator sees another representation (notes, drafts' relations): private, never the anonymous copy.
    _, token = curator_create(username="etag-curator")
    curated = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get(path, HTTP_IF_NONE_MATCH=anonymous["ETag"])
    assert curated["Cache-Control"] == "private, no-cache"
    assert curated.status_code == 304 if curated["ETag"] == anonymous["ETag"] else 200
    assert "Authorization" in curated["Vary"]


def test_errors_and_probes_are_never_stored(api_client):
    assert api_client.get(CLAIMS, {"kind": "nope"})["Cache-Control"] == "no-store"
    assert api_client.get("/readyz")["Cache-Control"] == "no-store"


def test_writes_through_a_cached_etag_still_need_if_match_semantics(curator_client):
    """If-None-Match never turns a write into a 304: only GETs are conditional on it."""
    Actor.objects.create(slug="write-etag-actor", name="Writer", kind="other")
    read = curator_client.get("/api/v1/actors/write-etag-actor/")
    patched = curator_client.patch(
        "/api/v1/actors/write-etag-actor/", {"name": "Written"}, format="json", HTTP_IF_NONE_MATCH=read["ETag"]
    )
    assert patched.status_code == 200 and patched.json()["name"] == "Written"


@pytest.mark.slow
def test_the_real_server_allows_cross_origin_reads_only(live_api):
    base = live_api["base_url"]
    with httpx.Client(base_url=base, timeout=30) as client:
        preflight = client.options(
            CLAIMS,
            headers={
                "Origin": ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "if-none-match",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["Access-Control-Allow-Origin"] == "*"
        assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
        assert "POST" not in preflight.headers["Access-Control-Allow-Methods"]
        assert "if-none-match" in preflight.headers["Access-Control-Allow-Headers"]

        read = client.get(CLAIMS, headers={"Origin": ORIGIN})
        assert read.headers["Access-Control-Allow-Origin"] == "*"
        exposed = {h.strip().lower() for h in read.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"etag", "ratelimit", "ratelimit-policy", "retry-after"} <= exposed
        assert "Access-Control-Allow-Credentials" not in read.headers  # never with the visitor's cookies

        # Conditional GET over the wire, as a browser or a mirror would do it.
        revalidated = client.get(CLAIMS, headers={"Origin": ORIGIN, "If-None-Match": read.headers["ETag"]})
        assert revalidated.status_code == 304
        assert revalidated.headers["Access-Control-Allow-Origin"] == "*"
        assert revalidated.headers["Cache-Control"] == "public, max-age=60"
        assert revalidated.headers["RateLimit-Policy"].startswith('"anon";')

        refused = client.get(CLAIMS, params={"kind": "nope"}, headers={"Origin": ORIGIN})
        assert refused.headers["Access-Control-Allow-Origin"] == "*"  # a page can read why it failed
        assert refused.headers["Content-Type"] == "application/problem+json"


def test_cors_origins_and_cache_lifetime_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CORS_ALLOW_ALL_ORIGINS, settings.CORS_ALLOWED_ORIGINS, settings.API_CACHE_MAX_AGE)"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "claims_api.settings.development",
        "CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
        "API_CACHE_MAX_AGE": "300",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['https://a.example', 'https://b.example'] 300"


def test_only_listed_origins_may_read_when_origins_are_configured(settings):
    settings.CORS_ALLOW_ALL_ORIGINS = False
    settings.CORS_ALLOWED_ORIGINS = ["https://a.example"]
    client = APIClient()
    assert client.get(CLAIMS, HTTP_ORIGIN="https://a.example")["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Access-Control-Allow-Origin" not in client.get(CLAIMS, HTTP_ORIGIN="https://evil.example")
