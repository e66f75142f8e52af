"""Claim exports: NDJSON is the API's representation, CSV its flat projection, JSON-LD linked data; all
streamed, honouring every list filter, the ordering and the reader's visibility."""

import csv
import io
import time

import httpx
import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pyld import jsonld

from apps.claims import exports
from apps.claims.models import Claim, ReviewStatus
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"


def _body(response) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def _ndjson(client, **params) -> list[dict]:
    response = client.get(f"{CLAIMS}export.ndjson", params)
    assert response["Content-Type"] == "application/x-ndjson"
    return [orjson.loads(line) for line in _body(response).splitlines()]


def _listed(client, **params) -> list[dict]:
    """Every claim the paginated list returns for ``params``, page after page."""
    items, page = [], client.get(CLAIMS, {**params, "page_size": 500}).json()
    items += page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        items += page["results"]
    return items


@pytest.fixture
def draft():
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).first()
    published.review_status = ReviewStatus.DRAFT
    published.save(update_fields=["review_status"])
    return published


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"kind": "troop_deployment", "country": "UA"},
        {"search": "sanctions", "ordering": "-quantity"},
        {"source": "kerres-2022-01-putin-kazakhstan-nato", "ordering": "position"},
        {"reported_from": "2022-01-01", "reported_to": "2022-01-31", "quantity_min": "1000"},
    ],
)
def test_ndjson_is_the_lists_claims_in_its_order_as_the_api_represents_them(api_client, params):
    exported = _ndjson(api_client, **params)
    assert exported == _listed(api_client, **params)
    assert exported  # every case selects something
    detail = api_client.get(exported[0]["url"]).json()
    assert exported[0] == detail


def test_exports_show_anonymous_readers_published_claims_only(api_client, curator_client, draft):
    anonymous = {claim["id"] for claim in _ndjson(api_client)}
    curated = {claim["id"] for claim in _ndjson(curator_client)}
    assert draft.id not in anonymous and draft.id in curated
    assert curated - anonymous == {draft.id}
    rows = list(csv.DictReader(io.StringIO(_body(api_client.get(f"{CLAIMS}export.csv")).decode())))
    assert str(draft.id) not in {row["id"] for row in rows}
    graph = orjson.loads(_body(api_client.get(f"{CLAIMS}export.jsonld")))["@graph"]
    assert draft.id not in {node["identifier"] for node in graph}


def test_csv_has_the_documented_flat_columns(api_client):
    text = _body(api_client.get(f"{CLAIMS}export.csv", {"kind": "troop_deployment"})).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [column.name for column in exports.CSV_COLUMNS]
    api = {claim["id"]: claim for claim in _listed(api_client, kind="troop_deployment")}
    assert [int(row["id"]) for row in rows] == list(api)
    for row in rows:
        claim = api[int(row["id"])]
        assert row["countries"] == ";".join(country["code"] for country in claim["countries"])
        assert row["quote"] == claim["anchor"]["exact"]
        assert (int(row["quote_start"]), int(row["quote_end"])) == (claim["anchor"]["start"], claim["anchor"]["end"])
        assert row["source"] == claim["source"]["slug"]
        assert row["trend"] == (claim["trend"] or "")
        assert row["source_published_on"] == claim["source"]["published_on"]
        quantity = claim["quantity"]
        if quantity is None:
            assert row["quantity_lower"] == row["quantity_upper"] == row["quantity_unit"] == ""
        else:
            assert row["quantity_unit"] == quantity["unit"]
            for bound in ("lower", "upper"):
                expected = quantity[bound]
                assert (float(row[f"quantity_{bound}"]) if row[f"quantity_{bound}"] else None) == expected
    assert "growing" in {row["trend"] for row in rows}  # the commentary's "over 100,000 and growing"
    text_of = {source.slug: source.text for source in Source.objects.all()}
    for row in rows:
        assert text_of[row["source"]][int(row["quote_start"]) : int(row["quote_end"])] == row["quote"]


def _first(node: dict, term: str):
    values = node[term]
    return values[0] if isinstance(values, list) else values


def test_jsonld_expands_to_schema_org_claims_with_web_annotation_quotes(api_client):
    document = orjson.loads(_body(api_client.get(f"{CLAIMS}export.jsonld")))
    expanded = jsonld.expand(document)  # the context is inline: no network
    api = {claim["url"]: claim for claim in _listed(api_client)}
    claims = [node for node in expanded if f"{SCHEMA}Claim" in node.get("@type", [])]
    assert {node["@id"] for node in claims} == set(api)
    for node in claims:
        claim = api[node["@id"]]
        assert _first(node, f"{SCHEMA}text")["@value"] == claim["summary"]
        assert _first(node, f"{SCHEMA}datePublished")["@value"] == claim["reported_on"]
        appearance = _first(node, f"{SCHEMA}appearance")
        assert appearance["@id"] == claim["source"]["url"]
        assert appearance["@type"] == [f"{SCHEMA}CreativeWork"]
        assert _first(appearance, f"{SCHEMA}datePublished")["@value"] == claim["source"]["published_on"]
        annotation = _first(node["@reverse"], f"{OA}hasBody")
        assert annotation["@type"] == [f"{OA}Annotation"]
        target = _first(annotation, f"{OA}hasTarget")
        assert _first(target, f"{OA}hasSource")["@id"] == claim["source"]["url"]
        selectors = {selector["@type"][0]: selector for selector in target[f"{OA}hasSelector"]}
        quote = selectors[f"{OA}TextQuoteSelector"]
        anchor = claim["anchor"]
        assert _first(quote, f"{OA}exact")["@value"] == anchor["exact"]
        assert _first(quote, f"{OA}prefix")["@value"] == anchor["prefix"]
        assert _first(quote, f"{OA}suffix")["@value"] == anchor["suffix"]
        position = selectors[f"{OA}TextPositionSelector"]
        assert int(_first(position, f"{OA}start")["@value"]) == anchor["start"]
        assert int(_first(position, f"{OA}end")["@value"]) == anchor["end"]
    # An attributed claim's author is its claimant; any other speaks in its source's authors' voice.
    attributed = next(node for node in claims if api[node["@id"]]["claimant"])
    assert _first(attributed, f"{SCHEMA}author")["@id"] == api[attributed["@id"]]["claimant"]["url"]
    authors = {source.slug: source.authors for source in Source.objects.exclude(authors=[])}
    own_voice = next(
        node for node in claims if not api[node["@id"]]["claimant"] and api[node["@id"]]["source"]["slug"] in authors
    )
    names = [_first(author, f"{SCHEMA}name")["@value"] for author in own_voice[f"{SCHEMA}author"]]
    assert names == authors[api[own_voice["@id"]]["source"]["slug"]]


def test_a_bad_filter_is_a_problem_document_whatever_the_client_accepts(api_client):
    response = api_client.get(f"{CLAIMS}export.csv", {"kind": "nope"}, HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert [(e["field"], e["in"]) for e in response.json()["errors"]] == [("kind", "query")]
    assert api_client.get(f"{CLAIMS}export.xml").status_code == 404


def test_queries_grow_with_chunks_not_claims(api_client, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    total = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).count()
    chunks = -(-total // 10) + 1  # the first chunk is smaller still
    with CaptureQueriesContext(connection) as queries:
        assert len(_ndjson(api_client)) == total
    # Per chunk: the claims with their anchor, their countries, their relations; and the briefs of sources,
    # actors and countries not met in an earlier chunk.
    per_chunk = 3 + 3
    assert len(queries) <= 3 + per_chunk * chunks, [q["sql"][:80] for q in queries]


def _first_line(client) -> tuple[float, dict, int]:
    """Seconds until the export's first line arrived, that line, and how many lines there were."""
    started = time.monotonic()
    with client.stream("GET", f"{CLAIMS}export.ndjson") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/x-ndjson"
        assert "Content-Length" not in response.headers  # streamed, not built first
        assert response.headers["Content-Disposition"] == 'attachment; filename="claims.ndjson"'
        lines = response.iter_lines()
        first = orjson.loads(next(lines))
        seconds = time.monotonic() - started
        return seconds, first, 1 + sum(1 for line in lines if line)


@pytest.mark.slow
def test_the_real_server_streams_an_export(live_api):
    with httpx.Client(base_url=live_api["base_url"], timeout=30) as client:
        for _ in range(4):  # both workers' threads have imported everything and hold a connection
            client.get(f"{CLAIMS}export.csv", params={"kind": "nope"})
        attempts = [_first_line(client) for _ in range(3)]  # the best of three, on a busy machine
        seconds, first, count = min(attempts, key=lambda attempt: attempt[0])
        assert seconds < 1
        assert first == client.get(first["url"]).json()
        page = client.get(CLAIMS, params={"page_size": 500, "count": "true"}).json()
        assert count == page["count"]


def test_behind_a_transaction_pooler_the_export_is_the_same_file(curator_client, monkeypatch):
    """Without server-side cursors (PgBouncer in transaction mode) the export reads ids first, then rows by chunk."""
    monkeypatch.setattr(exports, "CHUNK_SIZE", 7)
    expected = _ndjson(curator_client, ordering="valid_from")
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with CaptureQueriesContext(connection) as queries:
        pooled = _ndjson(curator_client, ordering="valid_from")
    assert pooled == expected and len(pooled) == Claim.objects.count()
    assert not any("DECLARE" in query["sql"] for query in queries)
