"""Reading: visibility of drafts, filters, pagination, the error shape and constant query counts."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.claims.models import Claim, ClaimRelation, ReviewStatus
from apps.claims.services import claim_create, claim_relation_create
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


@pytest.fixture
def draft(db):
    source = Source.objects.get(slug="commentary-2022-01-24-russian-build-up")
    claim = claim_create(
        source=source,
        kind="other",
        status="announced",
        summary="A secret draft about Zanzibar.",
        quote="Moscow also sent landing craft to the Black Sea",
        review_status=ReviewStatus.DRAFT,
        notes="curator-only note",
    )
    unrelated = Claim.objects.filter(
        review_status=ReviewStatus.PUBLISHED, relations_from__isnull=True, relations_to__isnull=True
    ).first()
    claim_relation_create(from_claim=claim, to_claim=unrelated, type="supersedes", note="draft relation")
    claim.unrelated_target = unrelated
    return claim


def test_anonymous_never_sees_drafts_or_notes(api_client, draft):
    assert api_client.get(f"{CLAIMS}{draft.id}/").status_code == 404
    listed = api_client.get(CLAIMS, {"page_size": 500, "count": "true"}).json()
    assert draft.id not in {c["id"] for c in listed["results"]}
    assert listed["count"] == Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).count()
    assert all(c["notes"] is None for c in listed["results"])
    assert api_client.get(CLAIMS, {"search": "Zanzibar"}).json()["results"] == []
    assert api_client.get(CLAIMS, {"review_status": "draft"}).json()["results"] == []
    superseded = api_client.get(CLAIMS, {"related": "supersedes", "page_size": 500}).json()["results"]
    assert draft.unrelated_target.id not in {c["id"] for c in superseded}
    target = api_client.get(f"{CLAIMS}{draft.unrelated_target.id}/").json()
    assert target["relations"] == []
    relations = api_client.get("/api/v1/claim-relations/", {"page_size": 500}).json()["results"]
    assert "draft relation" not in {r["note"] for r in relations}
    everywhere = str(api_client.get(CLAIMS, {"page_size": 500}).json())
    assert "Zanzibar" not in everywhere and "draft relation" not in everywhere


def test_curators_see_drafts_and_notes(curator_client, draft):
    data = curator_client.get(f"{CLAIMS}{draft.id}/").json()
    assert data["notes"] == "curator-only note"
    assert data["relations"][0]["type"] == "supersedes"
    assert [c["id"] for c in curator_client.get(CLAIMS, {"review_status": "draft"}).json()["results"]] == [draft.id]


def test_keyset_pagination_walks_every_claim_once_both_ways(api_client):
    seen, url, pages = [], f"{CLAIMS}?page_size=7", []
    while url:
        page = api_client.get(url).json()
        pages.append(page)
        seen.extend(c["id"] for c in page["results"])
        url = page["next"]
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED)
    assert len(seen) == len(set(seen)) == published.count()
    expected = list(published.order_by("-reported_on", "-id").values_list("id", flat=True))
    assert seen == expected
    back = api_client.get(pages[-1]["previous"]).json()
    assert [c["id"] for c in back["results"]] == [c["id"] for c in pages[-2]["results"]]


def test_ordering_by_quantity_puts_claims_without_one_last(api_client):
    results = api_client.get(CLAIMS, {"ordering": "-quantity", "page_size": 500}).json()["results"]
    lowers = [c["quantity"]["lower"] if c["quantity"] else None for c in results]
    known = [x for x in lowers if x is not None]
    assert known == sorted(known, reverse=True)
    assert None in lowers
    assert lowers[: len(known)] == known  # every claim without a lower bound comes after those with one


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "troop_deployment,nonsense"}, "kind"),
        ({"status": "maybe"}, "status"),
        ({"country": "XX"}, "country"),
        ({"location": "Narnia"}, "location"),
        ({"actor": "nobody-at-all"}, "actor"),
        ({"source": "no-such-source"}, "source"),
        ({"valid_from": "yesterday"}, "valid_from"),
        ({"reported_to": "2022-02-31"}, "reported_to"),
        ({"quantity_min": "many"}, "quantity_min"),
        ({"unit": "furlongs"}, "unit"),
        ({"related": "likes"}, "related"),
        ({"ordering": "summary"}, "ordering"),
        ({"page_size": "100000"}, "page_size"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_unknown_filter_values_are_a_400_naming_the_parameter(api_client, params, field):
    response = api_client.get(CLAIMS, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == [field]


def test_filters_answer_correctly(api_client):
    def keys(**params):
        return {c["key"] for c in api_client.get(CLAIMS, {"page_size": 500, **params}).json()["results"]}

    several = keys(kind="sanctions,recognition")
    assert several == keys(kind="sanctions") | keys(kind="recognition")
    assert keys(kind=["sanctions", "recognition"]) == several
    big = keys(quantity_min=95000, unit="soldiers")
    assert "commentary-0124-russia-100000-troops-around-ukraine" in big
    assert "kempe-putin-100000-soldiers-ukraine-border" in big
    assert "kerres-putin-soldiers-around-ukraine" in big  # "tens of thousands" can reach 99,999
    assert "commentary-0124-russia-100000-troops-around-ukraine" not in keys(quantity_max=99999, unit="soldiers")
    assert keys(publisher="dw") == keys(source="eggert-2021-12-31-what-putin-wants")
    assert keys(claimant="united-kingdom")
    assert keys(actor="united-kingdom") >= keys(claimant="united-kingdom") | keys(subject="united-kingdom")
    in_2014 = keys(valid_from="2014-01-01", valid_to="2014-12-31")
    assert any("crimea" in key for key in in_2014)
    assert keys(search="uranium") == {"kempe-kazakhstan-uranium-reserves"}
    assert keys(location="by") == keys(location="BY")


def test_error_shape_for_bad_requests(curator_client, api_client):
    malformed = curator_client.post(CLAIMS, data="{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert set(malformed.json()) == {"type", "title", "status", "detail", "instance", "code", "errors"}
    form = curator_client.post(CLAIMS, data="a=b", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 415
    assert form.json()["code"] == "unsupported_media_type"
    missing = api_client.get("/api/v1/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    assert api_client.get("/api/v1/actors/no-such-actor/").json()["status"] == 404
    assert api_client.get("/api/v1/countries/kz/").json()["code"] == "KZ"
    kinds = api_client.get("/api/v1/claim-kinds/").json()
    assert (kinds["count"], kinds["next"], kinds["previous"]) == (len(kinds["results"]), None, None)
    troop = next(k for k in kinds["results"] if k["id"] == "troop_deployment")
    assert troop["required_fields"] == ["subject"] and "ongoing" in troop["statuses"]


def test_orderings_may_be_repeated_as_well_as_comma_separated(api_client):
    """Generated clients send a list of orderings as repeated parameters."""
    joined = api_client.get(CLAIMS, {"ordering": "-quantity,id", "page_size": 20}).json()["results"]
    repeated = api_client.get(f"{CLAIMS}?ordering=-quantity&ordering=id&page_size=20").json()["results"]
    assert [c["id"] for c in repeated] == [c["id"] for c in joined]
    assert [c["id"] for c in joined] != [
        c["id"] for c in api_client.get(CLAIMS, {"ordering": "id", "page_size": 20}).json()["results"]
    ]


def _walk(client, url) -> list[dict]:
    pages = []
    while url:
        pages.append(client.get(url).json())
        url = pages[-1]["next"]
    return pages


@pytest.mark.parametrize(
    ("ordering", "order_by"),
    [(None, ["-reported_on", "-id"]), ("reported_on", ["reported_on", "id"]), ("-id", ["-id"]), ("valid_from", None)],
)
def test_one_country_walks_its_claims_in_order_both_ways(api_client, ordering, order_by):
    # One country pages through its own copy of the ordering (claim_country_newest).
    query = {"country": "kz", "page_size": 4, **({"ordering": ordering} if ordering else {})}
    pages = _walk(api_client, f"{CLAIMS}?{urlencode(query)}")
    seen = [c["id"] for page in pages for c in page["results"]]
    touching = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED, country_links__country="KZ")
    assert len(pages) > 2 and len(seen) == len(set(seen)) == touching.count()
    if order_by:
        assert seen == list(touching.order_by(*order_by).values_list("id", flat=True))
    back = api_client.get(pages[-1]["previous"]).json()
    assert [c["id"] for c in back["results"]] == [c["id"] for c in pages[-2]["results"]]
    several = _walk(api_client, f"{CLAIMS}?{urlencode({**query, 'country': 'KZ,KZ'})}")
    assert [c["id"] for page in several for c in page["results"]] == seen


def test_one_country_pages_are_ordered_on_the_country_links_copy(api_client, uncached):
    # What lets claim_country_newest serve the page: ordering and cursor on the link's columns.
    first = api_client.get(CLAIMS, {"country": "KZ", "page_size": 3}).json()
    with CaptureQueriesContext(connection) as captured:
        assert api_client.get(first["next"]).status_code == 200
    ids_query = captured.captured_queries[0]["sql"]
    order_by = ids_query.split("ORDER BY")[1]
    assert '"claims_claimcountry"."reported_on"' in ids_query.split("ORDER BY")[0]
    assert "DESC" in order_by and 'claims_claim"."reported_on' not in order_by


@pytest.mark.parametrize("params", [{}, {"ordering": "reported_on"}, {"country": "KZ"}])
def test_claim_pages_order_the_primary_key_as_the_indexes_hold_it(api_client, uncached, params):
    # "id DESC NULLS LAST" would not match the indexes' "id DESC" and cost every walk a sort step.
    first_url = f"{CLAIMS}?{urlencode({**params, 'page_size': 3})}"
    second = api_client.get(api_client.get(first_url).json()["next"]).json()
    for url in (first_url, second["next"], second["previous"]):  # forward walks and a reversed one
        with CaptureQueriesContext(connection) as captured:
            assert api_client.get(url).status_code == 200
        order_by = captured.captured_queries[0]["sql"].split("ORDER BY")[1].split("LIMIT")[0]
        last_term = order_by.split(",")[-1].strip()
        assert "NULLS" not in last_term and last_term.endswith(("DESC", "ASC")), order_by


def test_source_list_omits_text_and_detail_has_it(api_client):
    listed = api_client.get("/api/v1/sources/").json()["results"]
    assert len(listed) == 5 and all("text" not in s for s in listed)
    detail = api_client.get(listed[0]["url"]).json()
    assert len(detail["text"]) == detail["text_length"]


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "path", ["/api/v1/claims/", "/api/v1/actors/", "/api/v1/sources/", "/api/v1/countries/", "/api/v1/claim-relations/"]
)
def test_list_query_count_does_not_grow_with_page_size(curator_client, path):
    curator_client.get(path)  # the user's permissions are cached on the first request
    small = _queries(curator_client, f"{path}?page_size=5")
    large = _queries(curator_client, f"{path}?page_size=10")
    assert small == large
    assert large <= 8


def test_claim_list_query_count_is_constant_with_more_relations(curator_client):
    curator_client.get(CLAIMS)
    before = _queries(curator_client, f"{CLAIMS}?page_size=20")
    claims = list(Claim.objects.order_by("-reported_on", "-id")[:20])
    for first, second in zip(claims, claims[1:], strict=False):
        ClaimRelation.objects.get_or_create(from_claim=first, to_claim=second, type="same_event")
    assert _queries(curator_client, f"{CLAIMS}?page_size=20") == before


def test_a_claims_countries_are_exactly_those_the_country_filter_finds_it_by(api_client):
    shown = {
        item["id"]: {country["code"] for country in item["countries"]}
        for item in api_client.get(CLAIMS, {"page_size": 500, "fields": "id,countries"}).json()["results"]
    }
    found_by: dict[int, set[str]] = {claim_id: set() for claim_id in shown}
    for code in set().union(*shown.values()):
        page = api_client.get(CLAIMS, {"country": code, "page_size": 500, "fields": "id"}).json()
        for item in page["results"]:
            found_by[item["id"]].add(code)
    assert shown == found_by
    # Countries no curator listed but the roles imply (a subject's or a location's) are among them.
    listed = {
        claim.id: {c.code for c in claim.countries.all()} for claim in Claim.objects.prefetch_related("countries")
    }
    assert any(shown[claim_id] > listed[claim_id] for claim_id in shown)


def test_claims_say_who_reported_them(api_client):
    """The source's title or a label, its authors and publisher, and the claimant, in lists and details alike."""
    items = api_client.get(CLAIMS, {"page_size": 500}).json()["results"]
    sources = {item["source"]["slug"]: item["source"] for item in items}
    eggert = sources["eggert-2021-12-31-what-putin-wants"]
    assert (eggert["label"], eggert["title"], eggert["authors"], eggert["publisher"]) == (
        "What Putin wants",
        "What Putin wants",
        ["Konstantin Eggert"],
        "DW",
    )
    kerres = sources["kerres-2022-01-putin-kazakhstan-nato"]
    assert (kerres["title"], kerres["label"]) == ("", "Untitled opinion piece by Michel Kerres, January 2022")
    unsigned = sources["commentary-2022-01-24-russian-build-up"]
    assert (unsigned["authors"], unsigned["label"]) == ([], "Untitled opinion piece, 24 January 2022")
    assert sources["jankowski-bouvery-2022-near-abroad"]["authors"] == ["Tancrède Jankowski", "Armel Bouvery"]
    attributed = next(item for item in items if item["claimant"] and item["source"]["slug"] == eggert["slug"])
    assert attributed["claimant"]["name"] and attributed["source"]["label"] == "What Putin wants"
    assert api_client.get(f"{CLAIMS}{attributed['id']}/").json()["source"] == attributed["source"]
