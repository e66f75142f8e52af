"""What ClaimRenderer renders is what ClaimSerializer declares: the schema tells clients the truth.

The reference is DRF's own rendering of the declared fields, field by field, from model
instances read whole; the API renders from rows (apps/claims/api/representation.py).
"""

import datetime
from types import SimpleNamespace

import orjson
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.reverse import reverse
from rest_framework.test import APIRequestFactory

from apps.claims.api.representation import ClaimRenderer
from apps.claims.api.serializers import ClaimSerializer
from apps.claims.models import ClaimRelation
from apps.claims.selectors import involved_country_links, sees_drafts, visible_claims
from apps.comparisons.api.serializers import ComparedClaimSerializer, ComparisonSerializer
from apps.comparisons.models import KEY_RELATIONS
from apps.comparisons.selectors import as_of_from, comparisons_build, propositions_compared
from apps.core.api.fields import IdentityUrlField
from apps.core.api.urls import UrlPattern

pytestmark = pytest.mark.django_db

SPARSE = [
    None,
    frozenset({"id", "kind", "summary", "reported_on", "url"}),
    frozenset({"countries", "relations", "quantity"}),
    frozenset({"source", "location", "anchor", "notes"}),
]


def _declared(user, request, fields):
    """Each claim the user may see, rendered by DRF from ClaimSerializer's declared fields."""
    relations = ClaimRelation.objects.select_related("from_claim__source", "to_claim__source")
    if not sees_drafts(user):
        relations = relations.filter(from_claim__review_status="published", to_claim__review_status="published")
    claims = (
        visible_claims(user)
        .select_related("source", "subject", "object", "claimant", "location", "anchor")
        .prefetch_related(
            Prefetch("country_links", involved_country_links()),
            Prefetch("relations_from", relations),
            Prefetch("relations_to", relations),
        )
        .order_by("id")
    )
    context = {"request": request, "sees_drafts": sees_drafts(user), "fields": fields}
    declared = {}
    for claim in claims:
        serializer = ClaimSerializer(claim, context=context)
        data = serializers.ModelSerializer.to_representation(serializer, claim)
        if "anchor" in data and not hasattr(claim, "anchor"):
            data["anchor"] = None  # a claim without a quote anchor: the reverse one-to-one is missing
        declared[claim.id] = data
    return declared


@pytest.mark.parametrize("fields", SPARSE, ids=lambda fields: ",".join(sorted(fields)) if fields else "all")
@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_every_fixture_claim_renders_as_declared(who, fields, curator):
    user = curator if who == "curator" else AnonymousUser()
    request = Request(APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="testserver"))
    request.user = user
    declared = _declared(user, request, fields)
    assert len(declared) > 100
    rendered = ClaimRenderer(request=request, user=user, fields=fields, sees_drafts=sees_drafts(user)).render(
        list(declared)
    )
    for document, (claim_id, expected) in zip(rendered, declared.items(), strict=True):
        # Bytes, so that key order, 32 against 32.0 and null against "" all count.
        assert orjson.dumps(document) == orjson.dumps(expected), claim_id


@pytest.mark.parametrize("who", ["anonymous", "curator"])
def test_compared_claims_render_as_declared_without_a_query(who, curator):
    """A comparison's claims, loaded with their sources and subjects, go through the claims' renderer: each one
    is what DRF renders from ComparedClaimSerializer's declared fields, and nothing is read again."""
    user = curator if who == "curator" else AnonymousUser()
    request = Request(APIRequestFactory().get("/api/v1/comparisons/", HTTP_HOST="testserver"))
    request.user = user
    propositions = list(propositions_compared(user))
    claims = [
        claim for comparison in comparisons_build(propositions=propositions, user=user) for claim in comparison.claims
    ]
    assert len(claims) > 50
    context = {"request": request}
    listed = ComparedClaimSerializer(claims, many=True, context=context)
    with CaptureQueriesContext(connection) as queries:
        rendered = listed.data
    assert len(queries) == 0
    assert "fields" not in vars(listed.child)  # DRF built none of the declared fields: the renderer rendered them
    for document, claim in zip(rendered, claims, strict=True):
        serializer = ComparedClaimSerializer(claim, context=context)
        expected = serializers.ModelSerializer.to_representation(serializer, claim)
        assert orjson.dumps(document) == orjson.dumps(expected), claim.pk


@pytest.mark.parametrize("who", ["anonymous", "curator"])
@pytest.mark.parametrize("as_of", [None, "2022-02-20"])
def test_comparisons_render_as_declared(who, as_of, curator):
    """ComparisonSerializer writes a comparison directly: the bytes are what DRF renders from its declared fields
    (the proposition, the summary, the pairs with their curated relations, the pairs' links), and DRF built none."""
    user = curator if who == "curator" else AnonymousUser()
    request = Request(APIRequestFactory().get("/api/v1/comparisons/", HTTP_HOST="testserver"))
    request.user = user
    when = as_of_from(date=datetime.date.fromisoformat(as_of), rule=None) if as_of else None
    propositions = list(propositions_compared(user, as_of=when).select_related(*KEY_RELATIONS))
    comparisons = [
        *comparisons_build(propositions=propositions, user=user, as_of=when, spans=False),
        # A page of pairs in the middle, so that both of the pairs' links are given.
        *comparisons_build(propositions=propositions, user=user, as_of=when, pairs_offset=1, pairs_limit=2),
    ]
    listed = ComparisonSerializer(comparisons, many=True, context={"request": request})
    rendered = listed.data
    assert "fields" not in vars(listed.child)
    for document, comparison in zip(rendered, comparisons, strict=True):
        serializer = ComparisonSerializer(comparison, context={"request": request})
        expected = serializers.Serializer.to_representation(serializer, comparison)
        assert orjson.dumps(document) == orjson.dumps(expected), comparison.proposition.pk
    # What the fixtures hold, so that every part of the document was compared.
    assert any(pair["relations"] for document in rendered for pair in document["pairs"])
    assert any(document["summary"]["common_range"] for document in rendered)
    assert any(document["pairs_next"] and document["pairs_previous"] for document in rendered)
    for part in ("subject", "subject_country", "object", "object_country", "location", "unit"):
        assert any(document["proposition"][part] for document in rendered), part
    if as_of:
        assert all(document["as_of"] for document in rendered)


def test_loaded_claims_cannot_render_columns_they_do_not_hold():
    request = Request(APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="testserver"))
    for fields in (None, frozenset({"id", "location"}), frozenset({"id", "updated_at"})):
        with pytest.raises(ValueError, match="Columns not held by loaded claims"):
            ClaimRenderer(request=request, user=AnonymousUser(), fields=fields).render_loaded([])


def test_a_page_renders_in_a_constant_number_of_queries(curator):
    request = Request(APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="testserver"))
    request.user = curator
    ids = list(visible_claims(curator).order_by("id").values_list("id", flat=True))
    counts = []
    for size in (5, len(ids)):
        with CaptureQueriesContext(connection) as queries:
            ClaimRenderer(request=request, user=curator, sees_drafts=True).render(ids[:size])
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6


def test_a_renderer_renders_each_actor_source_and_country_once(curator):
    """A long export pays for the briefs once: a second chunk of the same claims reads only the claims."""
    request = Request(APIRequestFactory().get("/api/v1/claims/", HTTP_HOST="testserver"))
    request.user = curator
    ids = list(visible_claims(curator).order_by("id").values_list("id", flat=True))
    renderer = ClaimRenderer(request=request, user=curator, sees_drafts=True)
    first = renderer.render(ids)
    with CaptureQueriesContext(connection) as queries:
        again = renderer.render(ids)
    assert again == first
    assert len(queries) == 4  # the claims, their anchors, countries and relations


@pytest.mark.parametrize(
    ("view_name", "lookup", "value", "sample"),
    [
        ("api:country-detail", "code", "FR", "ZZ"),
        ("api:actor-detail", "slug", "café-ü 100%", None),
        ("api:claim-detail", "pk", 42, None),
    ],
)
def test_a_url_pattern_gives_what_drf_reverse_gives(view_name, lookup, value, sample):
    # ?format= is carried into every URL DRF builds; the lookup's sample value may occur in it.
    request = Request(APIRequestFactory().get("/api/v1/claims/", {"format": "ZZ"}, HTTP_HOST="testserver"))
    pattern = UrlPattern(view_name, lookup, request, **({"sample": sample} if sample else {}))
    assert pattern(value) == reverse(view_name, kwargs={lookup: value}, request=request)


@pytest.mark.parametrize(
    ("view_name", "lookup", "values", "sample"),
    [
        ("api:country-detail", "code", ["FR", "UA"], "ZZ"),
        ("api:actor-detail", "slug", ["café-ü 100%", "nato"], None),
        ("api:comparison-detail", "pk", [7, 1000, 10], "0"),
        ("api:claim-detail", "pk", [42, 8000], None),
    ],
)
def test_an_identity_url_field_gives_what_drf_gives(view_name, lookup, values, sample):
    """One field instance, reversed once, for several objects: each URL is DRF's own."""
    request = Request(APIRequestFactory().get("/api/v1/claims/", {"format": "json"}, HTTP_HOST="testserver:8000"))
    ours = IdentityUrlField(view_name=view_name, lookup_field=lookup, **({"lookup_sample": sample} if sample else {}))
    drf = serializers.HyperlinkedIdentityField(view_name=view_name, lookup_field=lookup)
    for field in (ours, drf):
        field.bind("url", serializers.Serializer(context={"request": request}))
    for value in values:
        item = SimpleNamespace(**{lookup: value})
        assert ours.to_representation(item) == drf.to_representation(item)
        unsaved = SimpleNamespace(**{lookup: value, "pk": None})
        assert ours.to_representation(unsaved) is drf.to_representation(unsaved) is None
