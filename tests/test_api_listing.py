"""List pages are rendered by PostgreSQL; they must say exactly what the serializer says for each claim."""

import pytest
from django.db import connection

from apps.claims.models import Claim

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
