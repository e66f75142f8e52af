"""Which way a source says a reported state is moving (a claim's trend), through every path: the API
(field, filter, errors), the admin, the fixture loader and the NDJSON importer."""

import datetime

import orjson
import pytest
import yaml
from django.test import Client

from apps.actors.models import Actor
from apps.claims.bulk_import import ndjson_import
from apps.claims.fixture_loader import FixtureError, fixtures_load
from apps.claims.kinds import ClaimTrend
from apps.claims.models import Claim
from apps.claims.services import claim_create
from apps.sources.services import source_create
from tests.test_fixtures import _broken_copy

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
TEXT = "Officials counted 3,000 soldiers, and more arrive every day. Elsewhere 500 remained."


@pytest.fixture
def source():
    return source_create(
        slug="test-trend-source",
        title="Trend test report",
        kind="news",
        text=TEXT,
        published_on=datetime.date(2022, 1, 20),
        published_precision="day",
    )


def _deployment(source, quote, **fields) -> Claim:
    return claim_create(
        source=source,
        quote=quote,
        kind="troop_deployment",
        status="ongoing",
        summary="Soldiers are deployed.",
        subject=Actor.objects.get(slug="russia"),
        review_status="published",
        **fields,
    )


def test_the_api_writes_shows_and_filters_the_trend(curator_client, api_client, source):
    body = {
        "source": source.slug,
        "kind": "troop_deployment",
        "status": "ongoing",
        "summary": "3,000 soldiers are deployed and more arrive every day.",
        "subject": "russia",
        "quantity": {"value": 3000, "unit": "soldiers"},
        "trend": "growing",
        "quote": "Officials counted 3,000 soldiers, and more arrive every day.",
    }
    created = curator_client.post(CLAIMS, body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["trend"] == "growing"
    claim_id = created.json()["id"]
    unsaid = _deployment(source, "Elsewhere 500 remained.", quantity_value=500, quantity_unit="soldiers")
    assert curator_client.get(f"{CLAIMS}{unsaid.pk}/").json()["trend"] is None  # not said: null, not ""

    def trends(client=curator_client, **params):
        page = client.get(CLAIMS, {"source": source.slug, **params}).json()["results"]
        return {c["id"]: c["trend"] for c in page}

    assert trends() == {claim_id: "growing", unsaid.pk: None}
    assert trends(trend="growing") == {claim_id: "growing"}
    assert trends(trend="shrinking") == {}
    refused = api_client.get(CLAIMS, {"trend": "soaring"})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["trend"]
    wrong = curator_client.post(CLAIMS, {**body, "trend": "soaring"}, format="json")
    assert wrong.status_code == 400 and [e["field"] for e in wrong.json()["errors"]] == ["trend"]
    # null clears it, like every optional choice.
    cleared = curator_client.patch(f"{CLAIMS}{claim_id}/", {"trend": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["trend"] is None
    assert Claim.objects.get(pk=claim_id).trend == ""


def test_the_admin_filters_and_edits_the_trend(curator, source):
    client = Client()
    client.force_login(curator)
    growing = _deployment(
        source,
        "Officials counted 3,000 soldiers",
        quantity_value=3000,
        quantity_unit="soldiers",
        trend=ClaimTrend.GROWING,
    )
    unsaid = _deployment(source, "Elsewhere 500 remained.", quantity_value=500, quantity_unit="soldiers")
    listed = client.get("/admin/claims/claim/", {"trend__exact": "growing"})
    assert listed.status_code == 200
    shown = {claim.pk for claim in listed.context["cl"].result_list}
    assert growing.pk in shown and unsaid.pk not in shown
    form = client.get(f"/admin/claims/claim/{unsaid.pk}/change/").context["adminform"].form
    assert [value for value, _ in form.fields["trend"].choices] == ["", *ClaimTrend.values]


def test_the_fixture_loader_reads_the_trend(tmp_path):
    def grow(document):
        document["claims"][0]["trend"] = "shrinking"

    copy = _broken_copy(tmp_path, grow)
    path = copy / "documents" / "kerres-2022-01-putin-kazakhstan-nato.yaml"
    key = yaml.safe_load(path.read_text())["claims"][0]["key"]
    fixtures_load(directory=copy)
    assert Claim.objects.get(key=key).trend == "shrinking"
    assert Claim.objects.get(key="commentary-0124-russia-100000-troops-around-ukraine").trend == "growing"

    def soar(document):
        document["claims"][0]["trend"] = "soaring"

    with pytest.raises(FixtureError, match=f"{key}: trend"):
        fixtures_load(directory=_broken_copy(tmp_path / "again", soar))


def test_the_importer_reads_the_trend(tmp_path):
    def claim(summary, quote, **fields):
        return {
            "type": "claim",
            "source": "synthetic-trend",
            "kind": "other",
            "status": "reported",
            "summary": summary,
            "quote": quote,
            **fields,
        }

    lines = [
        {"type": "source", "slug": "synthetic-trend", "kind": "news", "text": "One two three. Four five six."},
        claim("fewer", "One two three.", trend="shrinking"),
        claim("plain", "Four five six."),
    ]
    path = tmp_path / "trend.ndjson"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    ndjson_import(path=path)
    trends = dict(Claim.objects.filter(source__slug="synthetic-trend").values_list("summary", "trend"))
    assert trends == {"fewer": "shrinking", "plain": ""}
