"""Bad input never gets a 500: each kind of malformed request is a clear 4xx in the documented error shape."""

import socket
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml
from django.conf import settings

from apps.actors.models import Actor

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
ERROR_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


def _error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == ERROR_KEYS and body["status"] == status
    return body


def _post(client, path, raw: bytes, content_type="application/json"):
    return client.generic("POST", path, raw, content_type=content_type)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        pytest.param(b"{not json", "JSON parse error", id="malformed"),
        pytest.param(b'{"name": "x",}', "JSON parse error", id="trailing-comma"),
        pytest.param(b'{"name": NaN}', "JSON parse error", id="nan"),
        pytest.param(b"\xff\xfe{\x00}", "JSON parse error", id="not-utf8"),
        pytest.param(b'{"name": "caf\xe9"}', "JSON parse error", id="latin1-text"),
        pytest.param(b'{"name": "\\ud800"}', "JSON parse error", id="lone-surrogate"),
        pytest.param(b"[" * 50_000 + b"]" * 50_000, "JSON parse error", id="deeply-nested"),
        pytest.param(b'{"slug": "nul", "name": "a\\u0000b", "kind": "other"}', "NUL", id="nul-in-string"),
        pytest.param(b'{"slug\\u0000": "nul"}', "NUL", id="nul-in-key"),
    ],
)
def test_unparseable_bodies_are_a_400_parse_error(curator_client, raw, words):
    body = _error(_post(curator_client, "/api/v1/actors/", raw), 400)
    assert body["code"] == "parse_error"
    assert words in body["detail"]
    assert not Actor.objects.filter(slug="nul").exists()


@pytest.mark.parametrize(
    ("path", "raw", "fields"),
    [
        ("/api/v1/actors/", b'"a string"', {None}),
        ("/api/v1/actors/", b"[1, 2]", {None}),
        ("/api/v1/actors/", b"null", {None}),
        (
            "/api/v1/actors/",
            b'{"slug": "a b", "name": [], "kind": {}, "aliases": "x", "country": 7}',
            {"slug", "name", "kind", "aliases", "country"},
        ),
        (
            CLAIMS,
            b'{"source": 5, "kind": [], "status": {}, "summary": {}, "quantity": "x", "countries": "GB", "quote": []}',
            {"source", "kind", "status", "summary", "quantity", "countries", "quote"},
        ),
        (
            CLAIMS,
            b'{"source": "commentary-2022-01-24-russian-build-up", "kind": "other", "status": "announced", '
            b'"summary": "s", "quote": "Ukraine", "quote_start": 18446744073709551615}',
            {"quote_start"},
        ),
        (
            "/api/v1/claim-relations/",
            b'{"type": "corroborates", "from_claim": 9223372036854775807, "to_claim": 18446744073709551615}',
            {"from_claim", "to_claim"},
        ),
        (
            "/api/v1/claim-relations/",
            b'{"type": "corroborates", "from_claim": "x", "to_claim": [1]}',
            {"from_claim", "to_claim"},
        ),
    ],
)
def test_wrong_types_are_a_400_naming_each_field(curator_client, path, raw, fields):
    body = _error(_post(curator_client, path, raw), 400)
    assert body["code"] == "invalid"
    assert {error["field"] for error in body["errors"]} == fields
    assert {error["in"] for error in body["errors"]} == {"body"}


def test_a_non_json_body_is_a_415(curator_client):
    body = _error(_post(curator_client, "/api/v1/actors/", b"<xml/>", content_type="application/xml"), 415)
    assert body["code"] == "unsupported_media_type"


def test_an_oversized_body_is_a_413_before_it_is_read(curator_client):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit == 2 * 1024 * 1024
    name = "x" * limit
    body = _error(_post(curator_client, "/api/v1/actors/", b'{"slug": "big", "name": "%s"}' % name.encode()), 413)
    assert body["code"] == "request_too_large"
    assert str(limit) in body["detail"]
    assert not Actor.objects.filter(slug="big").exists()
    patched = curator_client.generic(
        "PATCH", "/api/v1/actors/russia/", b" " * (limit + 1), content_type="application/json"
    )
    assert _error(patched, 413)["code"] == "request_too_large"
    # Just under the limit is parsed as usual.
    assert _post(curator_client, "/api/v1/actors/", b'{"slug": 1}' + b" " * (limit - 20)).status_code == 400


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (CLAIMS, {"page_size": "0"}, "page_size"),
        (CLAIMS, {"page_size": "501"}, "page_size"),
        (CLAIMS, {"page_size": "99999999999999999999999"}, "page_size"),
        (CLAIMS, {"page_size": "-5"}, "page_size"),
        (CLAIMS, {"page_size": "²"}, "page_size"),
        (CLAIMS, {"page_size": "ten"}, "page_size"),
        ("/api/v1/actors/", {"page_size": "1e9"}, "page_size"),
        ("/api/v1/actors/", {"kind": "wizard"}, "kind"),
        ("/api/v1/actors/", {"country": "ZZ"}, "country"),
        ("/api/v1/actors/", {"country": "%s,%d"}, "country"),  # a "%" in the echoed value, not a format
        (CLAIMS, {"location": "%(codes)s"}, "location"),
        ("/api/v1/sources/", {"kind": "tweet"}, "kind"),
        ("/api/v1/sources/", {"published_from": "last week"}, "published_from"),
        ("/api/v1/claim-relations/", {"type": "likes"}, "type"),
        ("/api/v1/claim-relations/", {"claim": "first"}, "claim"),
        ("/api/v1/countries/", {"ordering": "population"}, "ordering"),
        (CLAIMS, {"quantity_min": "1e400"}, "quantity_min"),
        (CLAIMS, {"quantity_max": "NaN"}, "quantity_max"),
        (CLAIMS, {"valid_to": "99999-01-01"}, "valid_to"),
        (CLAIMS, {"ordering": "-"}, "ordering"),
        (CLAIMS, {"count": "yes"}, "count"),
        ("/api/v1/actors/", {"count": "null"}, "count"),
    ],
)
def test_absurd_page_sizes_and_unknown_filter_values_are_a_400_naming_the_parameter(api_client, path, params, field):
    body = _error(api_client.get(path, params), 400)
    assert [(error["field"], error["in"]) for error in body["errors"]] == [(field, "query")]


def test_invalid_cursors_are_a_400(api_client):
    page = api_client.get(CLAIMS, {"page_size": 3}).json()
    cursor = parse_qs(urlsplit(page["next"]).query)["cursor"][0]
    assert api_client.get(page["next"]).status_code == 200
    payload, signature = cursor.split(":")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB") + ":" + signature
    for token in ("garbage", "e30", payload, forged, cursor[:-1], "☃"):
        body = _error(api_client.get(CLAIMS, {"page_size": 3, "cursor": token}), 400)
        assert [(error["field"], error["in"]) for error in body["errors"]] == [("cursor", "query")], token
    # A real cursor used with another ordering.
    body = _error(api_client.get(CLAIMS, {"page_size": 3, "ordering": "quantity", "cursor": cursor}), 400)
    assert "another ordering" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("search=%FF%FE", "search", "UTF-8"),
        ("kind=other&publisher=caf%E9", "publisher", "UTF-8"),
        ("search=a%00b", "search", "NUL"),
        ("subject=%00", "subject", "NUL"),
        ("cursor=%00", "cursor", "NUL"),
        ("na%00me=x", "name", "NUL"),
    ],
)
def test_non_utf8_bytes_and_nul_in_the_query_string_are_a_400(api_client, query, field, words):
    body = _error(api_client.get(f"{CLAIMS}?{query}"), 400)
    assert body["code"] == "invalid"
    assert words in body["detail"]
    assert [(error["field"], error["in"]) for error in body["errors"]] == [(field, "query")]


def test_nul_and_broken_bytes_in_the_path_are_a_4xx(api_client):
    assert _error(api_client.get("/api/v1/actors/%00/"), 400)["code"] == "invalid"
    assert _error(api_client.get("/api/v1/actors/%FF%FE/"), 404)["code"] == "not_found"
    assert _error(api_client.get("/api/v1/claims/99999999999999999999999/"), 404)["code"] == "not_found"
    assert _error(api_client.get("/api/v1/claims/-1/"), 404)["code"] == "not_found"


def _raw_request(base_url: str, request: bytes) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.slow
def test_the_real_server_refuses_non_utf8_bytes_and_oversized_bodies(live_api):
    # Raw bytes outside ASCII in the request line never reach Django: gunicorn answers 400 itself (RFC 9112).
    raw = b"GET /api/v1/claims/?search=\xff\xfe HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    assert _raw_request(live_api["base_url"], raw).split(b"\r\n")[0].split()[1] == b"400"
    # Percent-encoded, they do, and get the error shape.
    response = httpx.get(f"{live_api['base_url']}/api/v1/claims/?search=%FF%FE", timeout=30)
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "search", "in": "query", "code": "invalid", "message": "The query string is not valid UTF-8."}
    ]

    headers = {"Authorization": f"Token {live_api['token']}", "Content-Type": "application/json"}
    big = b'{"slug": "x", "name": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    response = httpx.post(f"{live_api['base_url']}/api/v1/actors/", content=big, headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


@pytest.mark.slow
def test_an_overlong_request_line_is_a_documented_414(live_api):
    # gunicorn answers it before Django; the OpenAPI document says so, so that clients expect it.
    response = httpx.get(f"{live_api['base_url']}/api/v1/countries/", params={"search": "x" * 5000}, timeout=30)
    assert response.status_code == 414
    schema = httpx.get(f"{live_api['base_url']}/api/schema/", timeout=30).text
    operation = yaml.safe_load(schema)["paths"]["/api/v1/countries/"]["get"]
    assert "414" in operation["responses"]
