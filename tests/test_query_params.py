"""A query parameter a list does not take is a 400 naming it, with the closest known name suggested.

Without it a misspelt filter (``?contry=UA``) is dropped and the list answers every row.
"""

import html
import re
from pathlib import Path

import pytest
import yaml

from apps.sources.models import Source

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = yaml.safe_load((ROOT / "openapi.yaml").read_text())
LIST_OPERATIONS = {
    path: operation["get"]
    for path, operation in SCHEMA["paths"].items()
    if "get" in operation
    and (operation["get"]["operationId"].endswith("_list") or operation["get"]["operationId"] == "claims_export")
}


def _concrete(path: str) -> str:
    source = Source.objects.order_by("id").first()
    return path.replace("{export_format}", "csv").replace("{source_slug}", source.slug)


def _unknown_parameter_errors(response) -> list[dict]:
    if response.status_code != 400:
        return []
    return [error for error in response.json()["errors"] if error["code"] == "unknown_parameter"]


@pytest.mark.parametrize(
    ("path", "given", "meant"),
    [
        ("/api/v1/claims/", "contry", "country"),
        ("/api/v1/claims/", "Country", "country"),
        ("/api/v1/claims/", "orderby", "ordering"),
        ("/api/v1/claims/", "pagesize", "page_size"),
        ("/api/v1/claims/export.csv", "contry", "country"),
        ("/api/v1/claims/export.ndjson", "revieew_status", "review_status"),
        ("/api/v1/sources/", "publsher", "publisher"),
        ("/api/v1/actors/", "nmae", "name"),
        ("/api/v1/countries/", "nam", "name"),
        ("/api/v1/claim-relations/", "typ", "type"),
        ("/api/v1/comparisons/", "dispute", "disputed"),
        ("/api/v1/claim-kinds/", "formt", "format"),
    ],
)
def test_an_unknown_parameter_is_a_400_suggesting_the_closest_known_name(curator_client, path, given, meant):
    response = curator_client.get(path, {given: "UA"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == [
        {
            "field": given,
            "in": "query",
            "code": "unknown_parameter",
            "message": f"Unknown query parameter `{given}`; did you mean `{meant}`?",
        }
    ]


def test_every_list_and_export_refuses_a_parameter_it_does_not_take(curator_client):
    assert len(LIST_OPERATIONS) >= 11  # claims, its export, sources, actors, countries, relations, comparisons…
    for path in LIST_OPERATIONS:
        for method in ("get", "head"):
            response = getattr(curator_client, method)(_concrete(path), {"zzz": "1"})
            assert response.status_code == 400, (method, path)
            assert response["Content-Type"] == "application/problem+json", (method, path)


def test_every_parameter_a_list_documents_is_one_it_takes(curator_client):
    """The OpenAPI document and the check read the same filters, ordering and pagination."""
    for path, operation in LIST_OPERATIONS.items():
        names = [parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"]
        for name in [*names, "format"]:
            # Values are checked after names: a bad one is a 400 of another kind, never "unknown".
            response = curator_client.get(_concrete(path), {name: "json" if name == "format" else "1"})
            assert _unknown_parameter_errors(response) == [], (path, name)


def test_a_list_without_a_close_name_lists_what_it_takes(curator_client):
    response = curator_client.get("/api/v1/tokens/", {"page_size": "5"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["message"] == "Unknown query parameter `page_size`; this list takes `format`."


def test_every_unknown_parameter_is_named_and_known_ones_stay_quiet(api_client):
    response = api_client.get("/api/v1/claims/", {"contry": "UA", "knd": "sanctions", "page_size": 5, "kind": "x"})
    assert response.status_code == 400
    assert {error["field"]: error["message"] for error in response.json()["errors"]} == {
        "contry": "Unknown query parameter `contry`; did you mean `country`?",
        "knd": "Unknown query parameter `knd`; did you mean `kind`?",
    }


def test_the_known_names_still_filter_sort_page_and_pick_fields(api_client):
    known = {"country": "UA", "ordering": "-reported_on", "page_size": 2, "count": "true", "fields": "id"}
    response = api_client.get("/api/v1/claims/", {**known, "format": "json"})
    assert response.status_code == 200
    assert response.json()["count"] > 2
    assert [set(claim) for claim in response.json()["results"]] == [{"id"}, {"id"}]
    assert api_client.get(response.json()["next"]).status_code == 200  # a next link carries only known names


def test_an_export_takes_the_filters_but_not_the_pages_or_sparse_fields(api_client):
    assert api_client.get("/api/v1/claims/export.csv", {"country": "UA", "ordering": "id"}).status_code == 200
    for name in ("cursor", "page_size", "count", "fields"):
        response = api_client.get("/api/v1/claims/export.csv", {name: "1"})
        assert [error["field"] for error in _unknown_parameter_errors(response)] == [name]


@pytest.mark.parametrize(
    ("path", "known", "given", "meant"),
    [
        ("/claims/", {"country": "UA", "ordering": "reported_on"}, "contry", "country"),
        ("/comparisons/", {"disputed": "true", "page_size": "5"}, "dispute", "disputed"),
    ],
)
def test_the_reading_room_lists_show_a_400_page_naming_the_parameter(client, path, known, given, meant):
    response = client.get(path, {given: "UA"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert f"Unknown query parameter `{given}`; did you mean `{meant}`?" in response.content.decode()
    assert client.get(path, known).status_code == 200


def test_the_reading_room_csv_link_takes_the_export_to_the_same_claims(client):
    page = client.get("/claims/", {"country": "UA", "page_size": "5"}).content.decode()
    [csv_url] = re.findall(r'href="([^"]*export\.csv[^"]*)"', page)
    assert client.get(html.unescape(csv_url)).status_code == 200


def test_the_schema_and_the_readme_say_so():
    assert "`unknown_parameter`" in SCHEMA["info"]["description"]
    for operation in LIST_OPERATIONS.values():
        assert "suggests the closest known name" in operation["responses"]["400"]["description"]
    assert "did you mean `country`?" in (ROOT / "README.md").read_text()
