"""How a source puts a claim (its stance), the request and report statuses, and changes over time,
through every path: the services, the API, the admin, the fixture loader and the NDJSON importer."""

import datetime

import orjson
import pytest
import yaml
from django.core.exceptions import ValidationError
from django.test import Client

from apps.actors.models import Actor
from apps.claims.bulk_import import ndjson_import
from apps.claims.fixture_loader import FixtureError, fixtures_load
from apps.claims.kinds import ClaimStance
from apps.claims.models import Claim
from apps.claims.services import claim_create
from apps.countries.models import Country
from apps.sources.services import source_create
from tests.test_fixtures import _broken_copy

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
TEXT = (
    "Kazakhstan's president asked the alliance for help. It seems that Moscow will not intervene. "
    "Ankara pretends to condemn the invasion. Officials said 3,000 soldiers were sent; a week later, 5,000."
)


@pytest.fixture
def source():
    return source_create(
        slug="test-stance-source",
        title="Stance test report",
        kind="analysis",
        text=TEXT,
        published_on=datetime.date(2022, 1, 20),
        published_precision="day",
    )


def _intervention(source, quote="asked the alliance for help", **fields) -> Claim:
    values = {
        "kind": "intervention",
        "status": "requested",
        "summary": "Kazakhstan asked the CSTO for help.",
        "subject": Actor.objects.get(slug="kazakhstan"),
        "location": Country.objects.get(code="KZ"),
        "review_status": "published",
        **fields,
    }
    return claim_create(source=source, quote=quote, **values)


def test_a_claim_is_stated_unless_told_otherwise(source):
    claim = _intervention(source)
    assert claim.stance == ClaimStance.STATED
    hedged = _intervention(
        source, "Moscow will not intervene", stance="prediction", status="refused", summary="Moscow will not intervene."
    )
    hedged.refresh_from_db()
    assert hedged.stance == "prediction"


def test_an_unknown_stance_is_refused_naming_the_field(source):
    with pytest.raises(ValidationError) as caught:
        _intervention(source, stance="rumoured")
    assert "stance" in caught.value.message_dict


def test_requested_and_reported_are_statuses_where_they_fit(source):
    assert _intervention(source, status="requested").status == "requested"
    reported = claim_create(
        source=source,
        kind="troop_deployment",
        status="reported",
        summary="Soldiers were sent.",
        subject=Actor.objects.get(slug="russia"),
        quote="Officials said 3,000 soldiers were sent",
    )
    assert reported.status == "reported"
    with pytest.raises(ValidationError) as caught:
        claim_create(source=source, kind="casualties", status="requested", summary="x", quote="a week later")
    assert "not a status of a casualties claim" in " ".join(caught.value.message_dict["status"])


def test_the_api_writes_shows_and_filters_the_stance(curator_client, api_client, source):
    body = {
        "source": source.slug,
        "kind": "recognition",
        "status": "condemned",
        "stance": "doubted",
        "summary": "Turkey condemns the invasion, which the author doubts.",
        "subject": "turkey",
        "quote": "Ankara pretends to condemn the invasion.",
        "review_status": "published",
    }
    created = curator_client.post(CLAIMS, body, format="json")
    assert created.status_code == 201, created.json()
    claim_id = created.json()["id"]
    assert created.json()["stance"] == "doubted"
    assert api_client.get(f"{CLAIMS}{claim_id}/").json()["stance"] == "doubted"

    def stances(**params):
        page = api_client.get(CLAIMS, {"source": source.slug, **params}).json()["results"]
        return {c["id"]: c["stance"] for c in page}

    stated = _intervention(source).pk
    assert stances() == {claim_id: "doubted", stated: "stated"}  # the list renders the stance too
    assert stances(stance="doubted") == {claim_id: "doubted"}
    assert set(stances(stance="doubted,stated")) == {claim_id, stated}
    assert stances(stance="hedged") == {}

    refused = api_client.get(CLAIMS, {"stance": "rumoured"})
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["stance"]
    wrong = curator_client.post(CLAIMS, {**body, "stance": "rumoured"}, format="json")
    assert wrong.status_code == 400
    assert [e["field"] for e in wrong.json()["errors"]] == ["stance"]
    changed = curator_client.patch(f"{CLAIMS}{claim_id}/", {"stance": "attributed"}, format="json")
    assert changed.status_code == 200 and changed.json()["stance"] == "attributed"


def test_the_stance_vocabulary_is_served_with_its_meanings(api_client):
    response = api_client.get("/api/v1/claim-stances/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["id"] for row in rows] == ["stated", "attributed", "assessment", "prediction", "hedged", "doubted"]
    doubted = rows[-1]
    assert doubted["label"] == "Doubted" and "pretends to condemn" in doubted["description"]


def test_changed_over_time_relates_two_figures_for_different_times(curator_client, api_client, source):
    russia = Actor.objects.get(slug="russia")
    common = {"kind": "troop_deployment", "status": "reported", "subject": russia, "summary": "Soldiers were sent."}
    earlier = claim_create(
        source=source,
        quote="3,000 soldiers",
        quantity_value=3000,
        quantity_unit="soldiers",
        review_status="published",
        **common,
    )
    later = claim_create(
        source=source,
        quote="a week later, 5,000",
        quantity_value=5000,
        quantity_unit="soldiers",
        review_status="published",
        **common,
    )
    response = curator_client.post(
        "/api/v1/claim-relations/",
        {"type": "changed_over_time", "from_claim": later.pk, "to_claim": earlier.pk, "note": "A week apart."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    found = {
        c["id"] for c in api_client.get(CLAIMS, {"related": "changed_over_time", "page_size": 500}).json()["results"]
    }
    assert {earlier.pk, later.pk} <= found


def test_the_admin_filters_and_edits_the_stance(curator, source):
    client = Client()
    client.force_login(curator)
    hedged = _intervention(source, "Moscow will not intervene", stance="hedged", status="refused")
    stated = _intervention(source)
    listed = client.get("/admin/claims/claim/", {"stance__exact": "hedged"})
    assert listed.status_code == 200
    shown = {claim.pk for claim in listed.context["cl"].result_list}
    assert hedged.pk in shown and stated.pk not in shown
    form = client.get(f"/admin/claims/claim/{stated.pk}/change/").context["adminform"].form
    assert [value for value, _ in form.fields["stance"].choices] == list(ClaimStance.values)


def test_the_fixture_loader_reads_the_stance(tmp_path):
    def hedge(document):
        document["claims"][0]["stance"] = "hedged"

    copy = _broken_copy(tmp_path, hedge)
    key = yaml.safe_load((copy / "documents" / "kerres-2022-01-putin-kazakhstan-nato.yaml").read_text())["claims"][0][
        "key"
    ]
    fixtures_load(directory=copy)
    assert Claim.objects.get(key=key).stance == "hedged"

    def rumour(document):
        document["claims"][0]["stance"] = "rumoured"

    with pytest.raises(FixtureError, match=f"{key}: stance"):
        fixtures_load(directory=_broken_copy(tmp_path / "again", rumour))


def test_the_importer_reads_the_stance(tmp_path):
    lines = [
        {"type": "source", "slug": "synthetic-stance", "kind": "news", "text": "One two three. Four five six."},
        {
            "type": "claim",
            "source": "synthetic-stance",
            "kind": "other",
            "status": "predicted",
            "stance": "prediction",
            "summary": "a forecast",
            "quote": "One two three.",
        },
        {
            "type": "claim",
            "source": "synthetic-stance",
            "kind": "other",
            "status": "reported",
            "summary": "plain",
            "quote": "Four five six.",
        },
    ]
    path = tmp_path / "stance.ndjson"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines))
    ndjson_import(path=path)
    stances = dict(Claim.objects.filter(source__slug="synthetic-stance").values_list("summary", "stance"))
    assert stances == {"a forecast": "prediction", "plain": "stated"}
