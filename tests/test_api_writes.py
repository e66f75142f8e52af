"""Curators write through the API with the same validation as every other path; others cannot write."""

import json
import os
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.claims.models import Claim, ClaimRelation, QuoteAnchor
from apps.sources.models import Source
from tests.samples import QUOTE, SOURCE, claim_body
from tests.servers import runserver

pytestmark = pytest.mark.django_db


def _new_claim(**overrides):
    return claim_body(**{"location": "ua", "countries": ["GB", "UA"], "review_status": "draft", **overrides})


def _fields(response) -> dict:
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "instance", "code", "errors"}
    assert {error["in"] for error in body["errors"]} == {"body"}
    return {error["field"]: error["message"] for error in body["errors"]}


def test_curator_creates_a_claim_from_just_a_quote(curator_client):
    response = curator_client.post("/api/v1/claims/", _new_claim(), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    text = Source.objects.get(slug=SOURCE).text
    assert text[data["anchor"]["start"] : data["anchor"]["end"]] == QUOTE
    assert data["subject"]["slug"] == "united-kingdom"
    assert {c["code"] for c in data["countries"]} == {"GB", "UA"}
    assert data["review_status"] == "draft"
    assert Claim.objects.get(pk=data["id"]).country_links.filter(country="UA").exists()


def test_anonymous_and_plain_users_cannot_write(api_client, db):
    assert api_client.post("/api/v1/claims/", _new_claim(), format="json").status_code == 401
    plain = get_user_model().objects.create_user("reader", password="x-very-long-passphrase")
    client = APIClient()
    client.force_authenticate(plain)
    assert client.post("/api/v1/claims/", _new_claim(), format="json").status_code == 403
    claim = Claim.objects.filter(review_status="published").first()
    assert client.delete(f"/api/v1/claims/{claim.id}/").status_code == 403


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"quote": "This sentence is not in the commentary."}, "quote", "not found"),
        ({"quote": "Ukraine"}, "quote", "ambiguous"),
        ({"kind": "troop_deployment", "status": "ongoing", "subject": None}, "subject", "needs a subject"),
        ({"kind": "sanctions", "status": "threatened", "object": None}, "object", "a sanctions claim needs an object"),
        ({"object": None}, "object", "an arms transfer claim needs an object."),
        ({"status": "condemned"}, "status", "not a status of an arms transfer claim"),
        (
            {"quantity": {"lower": 10, "upper": 5, "qualifier": "range", "unit": "missiles"}},
            "quantity.lower",
            "exceeds",
        ),
        ({"subject": "no-such-actor"}, "subject", "does not exist"),
        ({"kind": "no_such_kind"}, "kind", "not a valid choice"),
        ({"valid_from": "2022-02-30", "valid_from_precision": "day"}, "valid_from", "wrong format"),
        ({"valid_from": "2022-01", "valid_from_precision": "month"}, "valid_from", "valid_from_precision"),
        ({"valid_to": "January 2022", "valid_to_precision": "month"}, "valid_to", "valid_to_precision"),
        (
            {
                "valid_from": "2022-03-01",
                "valid_from_precision": "day",
                "valid_to": "2022-02-01",
                "valid_to_precision": "day",
            },
            "valid_to",
            "ends before it starts",
        ),
    ],
)
def test_invalid_claims_get_a_400_naming_the_field(curator_client, overrides, field, words):
    before = Claim.objects.count()
    response = curator_client.post("/api/v1/claims/", _new_claim(**overrides), format="json")
    assert response.status_code == 400
    errors = _fields(response)
    assert field in errors, errors
    assert words in errors[field].lower()
    assert Claim.objects.count() == before


def test_quote_start_picks_one_of_several_occurrences(curator_client):
    text = Source.objects.get(slug=SOURCE).text
    second = text.find("Ukraine", text.find("Ukraine") + 1)
    response = curator_client.post("/api/v1/claims/", _new_claim(quote="Ukraine", quote_start=second), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["anchor"]["start"] == second
    wrong = curator_client.post("/api/v1/claims/", _new_claim(quote="Ukraine", quote_start=second + 1), format="json")
    assert wrong.status_code == 400
    assert "quote" in _fields(wrong)


def test_vague_quantity_gets_bounds_from_the_documented_rule(curator_client):
    body = _new_claim(
        kind="troop_deployment",
        status="ongoing",
        subject="russia",
        object=None,
        quote="Russia has amassed over 100,000 troops around Ukraine",
        quantity={"text": "tens of thousands", "unit": "soldiers"},
    )
    data = curator_client.post("/api/v1/claims/", body, format="json").json()
    assert data["quantity"] == {
        "value": None,
        "lower": 20000.0,
        "upper": 99999.0,
        "qualifier": "range",
        "unit": "soldiers",
        "text": "tens of thousands",
    }


def test_patch_updates_and_reanchors(curator_client):
    created = curator_client.post("/api/v1/claims/", _new_claim(), format="json").json()
    response = curator_client.patch(
        f"/api/v1/claims/{created['id']}/",
        {"quote": "Latvia and Lithuania anti-aircraft missiles", "subject": "latvia"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["subject"]["slug"] == "latvia"
    assert data["anchor"]["exact"] == "Latvia and Lithuania anti-aircraft missiles"
    assert data["summary"] == created["summary"]


def test_delete_claim_and_protected_source(curator_client):
    created = curator_client.post("/api/v1/claims/", _new_claim(), format="json").json()
    assert curator_client.delete(f"/api/v1/claims/{created['id']}/").status_code == 204
    assert not QuoteAnchor.objects.filter(claim_id=created["id"]).exists()
    refused = curator_client.delete(f"/api/v1/sources/{SOURCE}/")
    assert refused.status_code == 409
    assert "claims" in refused.json()["detail"]


def test_curator_creates_actor_source_and_relation(curator_client):
    actor = curator_client.post(
        "/api/v1/actors/",
        {
            "slug": "latvian-government-test",
            "name": "Latvia (test)",
            "kind": "state",
            "country": "LV",
            "aliases": ["Riga"],
        },
        format="json",
    )
    assert actor.status_code == 201, actor.json()
    assert actor.json()["country"]["code"] == "LV"
    duplicate = curator_client.post(
        "/api/v1/actors/", {"slug": "latvian-government-test", "name": "Again", "kind": "state"}, format="json"
    )
    assert duplicate.status_code == 400
    assert "slug" in _fields(duplicate)

    source = curator_client.post(
        "/api/v1/sources/",
        {
            "slug": "test-note",
            "title": "A note",
            "kind": "news",
            "text": "Riga sent 5 drones.",
            "published_on": "2022-02-01",
            "published_precision": "day",
        },
        format="json",
    )
    assert source.status_code == 201, source.json()
    assert len(source.json()["text_sha256"]) == 64

    first, second = Claim.objects.filter(review_status="published").order_by("id")[:2]
    relation = curator_client.post(
        "/api/v1/claim-relations/",
        {"type": "corroborates", "from_claim": first.id, "to_claim": second.id, "note": "test"},
        format="json",
    )
    assert relation.status_code == 201, relation.json()
    reverse = curator_client.post(
        "/api/v1/claim-relations/",
        {"type": "corroborates", "from_claim": second.id, "to_claim": first.id},
        format="json",
    )
    assert reverse.status_code == 400
    assert "already related" in reverse.json()["errors"][0]["message"]
    to_itself = curator_client.post(
        "/api/v1/claim-relations/",
        {"type": "contradicts", "from_claim": first.id, "to_claim": first.id},
        format="json",
    )
    assert to_itself.status_code == 400
    assert ClaimRelation.objects.filter(note="test").count() == 1


def test_source_text_change_that_breaks_an_anchor_is_refused(curator_client):
    response = curator_client.patch(f"/api/v1/sources/{SOURCE}/", {"text": "Something else entirely."}, format="json")
    assert response.status_code == 400
    assert "text" in _fields(response)


def test_bad_publication_date_points_to_its_precision_field(curator_client):
    body = {"slug": "dated-by-month", "kind": "news", "text": "Some text.", "published_on": "2022-01"}
    response = curator_client.post("/api/v1/sources/", body, format="json")
    assert response.status_code == 400
    message = _fields(response)["published_on"]
    assert "YYYY-MM-DD" in message and "published_precision" in message


def test_a_new_claim_is_a_draft_until_a_reviewer_publishes_it(curator_client, reviewer_client, api_client):
    """As the create operation documents: invisible to anonymous readers, published by another reviewer."""
    body = _new_claim()
    del body["review_status"]
    created = curator_client.post("/api/v1/claims/", body, format="json")
    assert created.status_code == 201, created.json()
    claim = created.json()
    assert claim["review_status"] == "draft"
    assert api_client.get(f"/api/v1/claims/{claim['id']}/").status_code == 404
    assert (
        curator_client.patch(
            f"/api/v1/claims/{claim['id']}/", {"review_status": "published"}, format="json"
        ).status_code
        == 403
    )  # its author may not publish it
    published = reviewer_client.patch(f"/api/v1/claims/{claim['id']}/", {"review_status": "published"}, format="json")
    assert published.status_code == 200, published.json()
    assert api_client.get(f"/api/v1/claims/{claim['id']}/").json()["review_status"] == "published"


def test_a_new_claims_countries_include_those_of_its_location_and_actors(curator_client):
    body = _new_claim(countries=[], location="ua", subject="united-kingdom", object="ukraine")
    claim = curator_client.post("/api/v1/claims/", body, format="json").json()
    assert [country["code"] for country in claim["countries"]] == ["UA", "GB"]  # by name: Ukraine, United Kingdom
    found = curator_client.get("/api/v1/claims/", {"country": "GB", "fields": "id", "page_size": 500}).json()
    assert claim["id"] in {item["id"] for item in found["results"]}
    changed = curator_client.patch(
        f"/api/v1/claims/{claim['id']}/", {"subject": "latvia", "countries": ["FR"]}, format="json"
    ).json()
    assert {country["code"] for country in changed["countries"]} == {"FR", "LV", "UA"}


@pytest.mark.parametrize("header", ["Bearer abc123", "Basic dXNlcjpwYXNz", "JWT x.y.z"])
def test_a_token_sent_with_another_scheme_is_told_to_use_token(api_client, header):
    for method, path in (("get", "/api/v1/claims/"), ("post", "/api/v1/claims/")):
        response = getattr(api_client, method)(path, _new_claim(), format="json", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, (method, response.content)
        assert response["WWW-Authenticate"] == "Token"
        body = response.json()
        assert body["code"] == "authentication_failed"
        assert "'Authorization: Token <token>'" in body["detail"] and header.split()[0] in body["detail"]


def test_an_untitled_source_is_labelled_by_what_is_known_of_it(curator_client):
    body = {"slug": "untitled-wire", "kind": "news", "text": "Some text.", "publisher": "Reuters"}
    created = curator_client.post("/api/v1/sources/", body, format="json").json()
    assert created["label"] == "Untitled news article, Reuters, undated"
    changed = curator_client.patch(
        "/api/v1/sources/untitled-wire/",
        {"authors": ["A. Writer", "B. Writer"], "published_on": "2022-01-01", "published_precision": "year"},
        format="json",
    ).json()
    assert changed["label"] == "Untitled news article by A. Writer and B. Writer, Reuters, 2022"


@pytest.mark.slow
def test_make_runs_development_server_answers_a_create_with_its_location(live_api):
    """runserver's WSGI server refuses a header value that is not exactly a str; gunicorn does not care."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "claims_api.settings.development"}
    env["DATABASE_URL"] = live_api["database_url"]
    with runserver(env=env) as base_url:
        request = urllib.request.Request(
            f"{base_url}/api/v1/claims/",
            data=json.dumps(_new_claim()).encode(),
            headers={"Authorization": f"Token {live_api['token']}", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
            created = json.loads(response.read())
            assert response.headers["Location"] == created["url"] == f"{base_url}/api/v1/claims/{created['id']}/"
        # Committed by the server, so removed through it: the live server's data is shared by the session.
        remove = urllib.request.Request(
            created["url"], headers={"Authorization": f"Token {live_api['token']}"}, method="DELETE"
        )
        with urllib.request.urlopen(remove, timeout=10) as response:
            assert response.status == 204
