"""Every route of the project, with every method, with and without its trailing slash: never a 500.

The walk reads the URL patterns themselves (``get_resolver().url_patterns``), so a route added
tomorrow is walked tomorrow. Each path parameter is filled with a value that names something in
the fixtures where the route can use one. A path that exists only with a trailing slash answers
308 to it, which clients follow with the same method and body; under /api/ every 4xx is a
problem document.
"""

import os
import re

import httpx
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from rest_framework.test import APIClient

from apps.actors.models import Actor
from apps.claims.models import Claim, ClaimRelation, ReviewStatus
from apps.comparisons.models import Proposition
from apps.sources.models import Source
from tests.servers import runserver

pytestmark = pytest.mark.django_db

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "BREW")
GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?(?P<body>(?:[^()]|\([^()]*\))*)\)")
CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _plausible_values() -> dict[str, str]:
    claim = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).order_by("id").first()
    return {
        "claim": str(claim.pk),
        "relation": str(ClaimRelation.objects.order_by("id").first().pk),
        "proposition": str(Proposition.objects.order_by("id").first().pk),
        "source": Source.objects.order_by("id").first().slug,
        "actor": Actor.objects.order_by("id").first().slug,
    }


def _value(name: str, body: str, prefix: str, values: dict[str, str]) -> str:
    """A value for the path parameter ``name`` (regex ``body``, if any) of the route ``prefix``."""
    if body and re.fullmatch(r"[\w|-]+", body):  # a list of alternatives: csv|ndjson|jsonld, the admin's apps
        return body.split("|")[0]
    if name in ("pk", "object_id", "id") and "relation" in prefix:
        return values["relation"]
    if name in ("pk", "id") and "comparisons" in prefix:
        return values["proposition"]
    if name == "id" and "kind" in prefix:
        return "troop_deployment"
    if name in ("pk", "object_id", "id"):
        return values["claim"]
    if name in ("slug", "source_slug"):
        return values["actor"] if "actor" in prefix else values["source"]
    # Unnamed groups (the history pages' "([^/]+)") take ids.
    return {"code": "ua", "key": "0123abcd", "content_type_id": "1", None: "1"}.get(name, "anything")


def _route(pattern, prefix: str, values: dict[str, str]) -> str:
    text = str(pattern.pattern)
    prefix += text  # what the route is about (claims, claim-relations…) decides its values
    if "(" in text or text.startswith("^") or text.endswith("$"):
        text = GROUP.sub(lambda m: _value(m["name"], m["body"], prefix, values), text)
        text = text.removeprefix("^").removesuffix("$").removesuffix("/?").replace("\\", "")
    else:
        text = CONVERTER.sub(lambda m: _value(m["name"], "", prefix, values), text)
    return text


def _walk(patterns, prefix: str, values: dict[str, str]):
    for pattern in patterns:
        route = prefix + _route(pattern, prefix, values)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route, values)
        elif isinstance(pattern, URLPattern):
            yield "/" + route


@pytest.fixture
def paths() -> list[str]:
    found = sorted(set(_walk(get_resolver().url_patterns, "", _plausible_values())))
    for path in found:
        resolve(path)  # each filled-in route is one the project serves
    return found


@pytest.fixture
def clients(curator) -> dict[str, APIClient]:
    signed_in = APIClient()
    signed_in.force_login(curator)  # a session: the admin's pages and the API alike
    return {"anonymous": APIClient(), "curator": signed_in}


def _request(client: APIClient, method: str, path: str):
    if method in ("POST", "PUT", "PATCH"):
        return client.generic(method, path, b"{}", content_type="application/json")
    return client.generic(method, path)


def _assert_sound(response, method: str, path: str) -> None:
    where = f"{method} {path} answered {response.status_code}"
    assert response.status_code < 500, where
    if path.startswith("/api/") and 400 <= response.status_code < 500:
        assert response["Content-Type"] == "application/problem+json", where
        if method != "HEAD":
            assert response.json()["status"] == response.status_code, where


def test_the_walk_covers_the_api_the_reading_room_and_the_admin(paths):
    assert {"/api/v1/claims/", "/api/v1/claims/export.csv", "/claims/", "/admin/", "/healthz"} <= set(paths)
    assert any(path.startswith("/api/v1/sources/") and path.endswith("/candidates/") for path in paths)
    assert any(path.startswith("/admin/claims/claim/") and path.endswith("/change/") for path in paths)


def test_every_route_and_method_answers_without_a_server_error(paths, clients):
    for client in clients.values():
        for path in paths:
            for method in METHODS:
                _assert_sound(_request(client, method, path), method, path)


def test_a_path_without_its_trailing_slash_is_redirected_with_308_keeping_the_method(paths, clients):
    slashed = [path for path in paths if path.endswith("/") and path != "/"]
    for client in clients.values():
        for path in slashed:
            for method in METHODS:
                response = _request(client, method, f"{path[:-1]}?page_size=5")
                assert (response.status_code, response["Location"]) == (308, f"{path}?page_size=5"), (method, path)


def test_a_308_is_followed_with_the_same_method_and_body(clients):
    created = clients["curator"].post(
        "/api/v1/actors", {"slug": "slashless", "name": "Slashless", "kind": "other"}, format="json", follow=True
    )
    assert [status for _, status in created.redirect_chain] == [308]
    assert created.status_code == 201
    assert Actor.objects.filter(slug="slashless", name="Slashless").exists()


def test_a_write_without_the_slash_is_redirected_under_debug_too(clients, settings):
    settings.DEBUG = True  # where Django's own slash appending refuses a POST with a 500
    response = clients["anonymous"].post("/api/v1/claims", {"summary": "x"}, format="json")
    assert (response.status_code, response["Location"]) == (308, "/api/v1/claims/")


def test_a_path_without_slash_that_names_nothing_stays_a_404(clients):
    for method in METHODS:
        response = _request(clients["anonymous"], method, "/api/v1/nothing-here")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("BREW", "/api/v1/claims/", "GET, POST, HEAD, OPTIONS"),
        ("DELETE", "/api/v1/claims/", "GET, POST, HEAD, OPTIONS"),
        ("BREW", "/api/v1/tokens/", "GET, HEAD, OPTIONS"),
        ("PUT", "/api/v1/sources/some-source/candidates/", "GET, HEAD, OPTIONS"),
        ("BREW", "/api/docs/", "GET, HEAD, OPTIONS"),
    ],
)
def test_a_method_a_route_does_not_take_is_a_405_problem_document_for_anyone(clients, method, path, allowed):
    for client in clients.values():
        response = client.generic(method, path)
        assert response.status_code == 405
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["code"] == "method_not_allowed"
        assert response["Allow"] == allowed


def test_options_on_the_documentation_pages_lists_their_methods(clients):
    response = clients["anonymous"].options("/api/docs/")
    assert (response.status_code, response["Allow"], response.content) == (200, "GET, HEAD, OPTIONS", b"")


def test_a_leading_double_slash_never_redirects_to_another_host(clients):
    response = clients["anonymous"].get("//claims")
    assert not (300 <= response.status_code < 400 and response["Location"].startswith("//"))


@pytest.mark.slow
def test_make_runs_server_redirects_a_slashless_write_and_the_client_repeats_it(live_api):
    """The development server of `make run`, DEBUG on, over real HTTP: the newcomer's POST without a slash."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "claims_api.settings.development"}
    env["DATABASE_URL"] = live_api["database_url"]
    token = {"Authorization": f"Token {live_api['token']}"}
    with runserver(env=env) as base_url, httpx.Client(base_url=base_url, headers=token, timeout=30) as client:
        actor = {"slug": "slashless-live", "name": "Slashless", "kind": "other"}
        created = client.post("/api/v1/actors", json=actor, follow_redirects=True)
        assert [answer.status_code for answer in created.history] == [308]
        assert created.status_code == 201
        assert created.json()["name"] == "Slashless"
        # Committed by the server, so removed through it, slashless too.
        removed = client.delete("/api/v1/actors/slashless-live", follow_redirects=True)
        assert ([answer.status_code for answer in removed.history], removed.status_code) == ([308], 204)
        refused = client.request("BREW", "/api/v1/claims/")
        assert (refused.status_code, refused.headers["Content-Type"]) == (405, "application/problem+json")
