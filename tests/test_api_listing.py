"""One representation of a claim: a list item is byte for byte the claim's detail, and it is never stale."""

import datetime
import time

import orjson
import pytest
from django.core.cache import cache
from django.db import connection

from apps.actors.models import Actor
from apps.claims.models import Claim, ClaimCountry
from apps.claims.services import claim_update
from apps.countries.models import Country
from apps.sources.models import Source

pytestmark = pytest.mark.django_db


def _all_items(client) -> dict[int, bytes]:
    """Each listed claim as the bytes a client gets, in the renderer's own encoding."""
    items, url = {}, "/api/v1/claims/?page_size=50"
    while url:
        page = client.get(url).json()
        items.update({item["id"]: orjson.dumps(item) for item in page["results"]})
        url = page["next"]
    return items


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_every_list_item_is_byte_identical_to_its_detail(api_client, curator_client, who):
    client = api_client if who == "anonymous" else curator_client
    items = _all_items(client)
    expected = Claim.objects.count() if who == "curator" else Claim.objects.filter(review_status="published").count()
    assert len(items) == expected
    for claim_id, item in items.items():
        assert item == client.get(f"/api/v1/claims/{claim_id}/").content, claim_id


def _listed(client, claim: Claim) -> dict:
    page = client.get("/api/v1/claims/", {"source": claim.source.slug, "page_size": 500}).json()
    return next(item for item in page["results"] if item["id"] == claim.id)


def test_a_list_follows_changes_made_by_any_write_path(curator_client):
    claim = Claim.objects.filter(claimant__isnull=False, subject__isnull=False).select_related("source").first()
    claim_update(claim=claim, review_status="draft", summary="A new summary.")
    item = _listed(curator_client, claim)
    assert (item["review_status"], item["summary"]) == ("draft", "A new summary.")
    # Writes that bypass every service and signal: nothing of them may be stale.
    Actor.objects.filter(pk=claim.claimant_id).update(name="Renamed claimant", slug="renamed-claimant")
    item = _listed(curator_client, claim)
    assert item["claimant"]["name"] == "Renamed claimant" and item["claimant"]["url"].endswith("/renamed-claimant/")
    Actor.objects.filter(pk=claim.subject_id).update(kind="armed_group")
    assert _listed(curator_client, claim)["subject"]["kind"] == "armed_group"
    Source.objects.filter(pk=claim.source_id).update(publisher="A new publisher", slug="new-slug")
    claim.source.refresh_from_db()
    item = _listed(curator_client, claim)
    assert (item["source"]["publisher"], item["source"]["slug"]) == ("A new publisher", "new-slug")
    assert item == curator_client.get(f"/api/v1/claims/{claim.id}/").json()


def test_the_database_keeps_derived_data_when_a_source_or_actor_changes_behind_the_services(curator_client):
    claim = Claim.objects.filter(subject__isnull=False, review_status="published").select_related("source").first()
    with connection.cursor() as cursor:  # raw SQL, as an operator's fix would be
        cursor.execute(
            "UPDATE sources_source SET title = 'Zanzibarian chronicle', published_on = '2001-02-03' WHERE id = %s",
            [claim.source_id],
        )
    found = curator_client.get("/api/v1/claims/", {"search": "Zanzibarian", "page_size": 500}).json()["results"]
    assert claim.id in {item["id"] for item in found}
    assert {item["reported_on"] for item in found} == {"2001-02-03"}
    links = ClaimCountry.objects.filter(claim=claim)
    assert set(links.values_list("reported_on", flat=True)) == {datetime.date(2001, 2, 3)}

    elsewhere = Country.objects.exclude(claims_located__isnull=False).exclude(code="RU").first()
    Actor.objects.filter(pk=claim.subject_id).update(country=elsewhere)
    found = curator_client.get("/api/v1/claims/", {"country": elsewhere.code, "page_size": 500}).json()["results"]
    assert claim.id in {item["id"] for item in found}


def test_renaming_an_actor_cited_by_many_claims_costs_what_renaming_any_actor_costs(curator_client):
    model = Claim.objects.filter(subject__isnull=False).select_related("subject").first()
    actor = model.subject
    rename = f"/api/v1/actors/{actor.slug}/"
    assert curator_client.patch(rename, {"name": "Warm"}, format="json").status_code == 200  # a first request warms up
    # Copies of one claim (drafts, without its natural key) make the actor the subject of
    # 100,000 claims, as the most cited actor of a large corpus is.
    columns = [f.column for f in Claim._meta.concrete_fields if f.column not in ("id", "key", "review_status")]
    listed = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO claims_claim ({listed}, review_status) "
            f"SELECT {listed}, 'draft' FROM claims_claim, generate_series(1, %s) WHERE id = %s",
            [100_000, model.id],
        )
    started = time.monotonic()
    response = curator_client.patch(rename, {"name": "Renamed"}, format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert elapsed < 1, elapsed


def test_sparse_fields_on_lists_and_details(api_client):
    page = api_client.get("/api/v1/claims/", {"fields": "summary,id,kind", "page_size": 5}).json()
    assert page["results"] and all(list(item) == ["id", "kind", "summary"] for item in page["results"])
    first = page["results"][0]
    detail = api_client.get(f"/api/v1/claims/{first['id']}/", {"fields": "id,kind,summary"})
    assert detail.content == orjson.dumps(first)
    # A sparse claim is the whole claim with fields left out.
    whole = api_client.get(f"/api/v1/claims/{first['id']}/").json()
    assert {name: whole[name] for name in first} == first
    repeated = api_client.get("/api/v1/claims/?fields=id&fields=anchor&page_size=5").json()["results"]
    assert all(list(item) == ["id", "anchor"] for item in repeated)


@pytest.mark.parametrize("fields", ["id,secret", "", "notes,,nope"])
def test_unknown_sparse_fields_are_a_400_naming_the_parameter(api_client, fields):
    for path in ("/api/v1/claims/", f"/api/v1/claims/{Claim.objects.filter(review_status='published').first().id}/"):
        response = api_client.get(path, {"fields": fields})
        assert response.status_code == 400, response.content
        assert [error["field"] for error in response.json()["errors"]] == ["fields"]


def test_sparse_pages_skip_the_queries_of_fields_left_out(api_client, django_assert_num_queries):
    cache.clear()  # answered by the view, not by the response cache
    # The data version, the page (its claims, with the latest change for Last-Modified), their sources:
    # no actors, countries or relations.
    with django_assert_num_queries(3):
        assert api_client.get("/api/v1/claims/", {"fields": "id,summary,source"}).status_code == 200


def test_a_page_of_own_columns_and_countries_is_one_round_trip(api_client, django_assert_num_queries):
    """The page's query reads the claims' columns, the location's name and the feed's head; the countries'
    names come with the claims' country links."""
    cache.clear()
    fields = "id,kind,summary,reported_on,location,countries"
    with django_assert_num_queries(3):  # the data version, the page, the claims' country links
        response = api_client.get("/api/v1/claims/", {"fields": fields, "page_size": 100})
    assert response.status_code == 200
    located = [claim for claim in response.json()["results"] if claim["location"]]
    assert located and all(claim["location"]["name"] for claim in located)
