"""List pages are rendered by PostgreSQL; they must say exactly what the serializer says for each claim."""

import pytest
from django.db import connection

from apps.actors.services import actor_update
from apps.claims.models import Claim
from apps.claims.services import claim_update
from apps.sources.services import source_update

pytestmark = pytest.mark.django_db


def _all_items(client) -> dict[int, dict]:
    items, url = {}, "/api/v1/claims/?page_size=50"
    while url:
        page = client.get(url).json()
        items.update({item["id"]: item for item in page["results"]})
        url = page["next"]
    return items


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_every_list_item_equals_its_detail_representation(api_client, curator_client, who):
    client = api_client if who == "anonymous" else curator_client
    items = _all_items(client)
    expected = Claim.objects.count() if who == "curator" else Claim.objects.filter(review_status="published").count()
    assert len(items) == expected
    for claim_id, item in items.items():
        detail = client.get(f"/api/v1/claims/{claim_id}/").json()
        assert item == detail, claim_id


def test_the_page_statement_is_prepared_once_per_connection(api_client):
    # Planning the page statement costs more than running it; prepared, it is planned once.
    for _ in range(6):
        assert api_client.get("/api/v1/claims/?page_size=5").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%WITH page AS%"])
        assert cursor.fetchone()[0] == 1


def _listed(client, claim: Claim) -> dict:
    page = client.get("/api/v1/claims/", {"source": claim.source.slug, "page_size": 500}).json()
    return next(item for item in page["results"] if item["id"] == claim.id)


def test_stored_list_documents_follow_every_change_they_copy(curator_client):
    claim = Claim.objects.filter(claimant__isnull=False, subject__isnull=False).select_related("source").first()
    claim_update(claim=claim, review_status="draft", summary="A new summary.")
    item = _listed(curator_client, claim)
    assert (item["review_status"], item["summary"]) == ("draft", "A new summary.")
    # Neither the claim nor anything else of it is saved again after each of these.
    actor_update(actor=claim.claimant, name="Renamed claimant", slug="renamed-claimant")
    item = _listed(curator_client, claim)
    assert item["claimant"]["name"] == "Renamed claimant" and item["claimant"]["url"].endswith("/renamed-claimant/")
    actor_update(actor=claim.subject, kind="armed_group")
    assert _listed(curator_client, claim)["subject"]["kind"] == "armed_group"
    source_update(source=claim.source, publisher="A new publisher", slug="new-slug")
    claim.source.refresh_from_db()
    item = _listed(curator_client, claim)
    assert (item["source"]["publisher"], item["source"]["slug"]) == ("A new publisher", "new-slug")
    assert item == curator_client.get(f"/api/v1/claims/{claim.id}/").json()


def test_a_claim_without_a_stored_document_is_listed_the_same(api_client):
    claim = Claim.objects.filter(review_status="published", relations_from__isnull=False).first()
    before = _listed(api_client, claim)
    Claim.objects.filter(pk=claim.pk).update(list_document=None)
    assert _listed(api_client, claim) == before


def test_list_documents_are_compressed_with_lz4_where_the_server_has_it():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        if not cursor.fetchone()[0]:
            pytest.skip("this PostgreSQL server was built without lz4")
        cursor.execute(
            "SELECT attcompression FROM pg_attribute "
            "WHERE attrelid = 'claims_claim'::regclass AND attname = 'list_document'"
        )
        assert cursor.fetchone()[0] == "l"
        claim = Claim.objects.filter(review_status="published").first()
        # A row past PostgreSQL's 2 kB threshold gets its largest values compressed.
        claim_update(claim=claim, summary="A long summary. " * 100)
        cursor.execute("SELECT pg_column_compression(list_document) FROM claims_claim WHERE id = %s", [claim.id])
        assert cursor.fetchone()[0] == "lz4"
