"""Domain rules and database invariants, on the real PostgreSQL.

Every rule is checked where a user meets it (the service's ValidationError,
naming the field to correct) and, where the database also enforces it, by
bypassing the services and letting PostgreSQL refuse the row. The curated
fixtures are loaded in the test database, so everything made here has its own
slugs and is looked up through its own source.
"""

import datetime
import hashlib
import re

import pytest
from django.contrib.postgres.search import SearchQuery
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from apps.actors.models import Actor
from apps.actors.services import actor_create
from apps.claims.models import Claim, ClaimCountry, QuoteAnchor
from apps.claims.services import claim_create, claim_update, claims_refresh_deferred, claims_refresh_derived
from apps.countries.models import Country
from apps.sources.models import Source
from apps.sources.services import source_create, source_update

pytestmark = pytest.mark.django_db

TEXT = "Russia has amassed over 100,000 troops around Ukraine. Russia has amassed troops."
QUOTE = "over 100,000 troops around Ukraine"


def messages(error: ValidationError, field: str) -> str:
    assert field in error.message_dict, f"expected an error on {field!r}, got {error.message_dict}"
    return " ".join(error.message_dict[field])


@pytest.fixture
def source() -> Source:
    return source_create(
        slug="test-build-up-report",
        title="The Russian build-up",
        kind="news",
        text=TEXT,
        published_on=datetime.date(2022, 1, 20),
        published_precision="day",
    )


@pytest.fixture
def russia() -> Actor:
    return actor_create(slug="test-russia", name="Russia", kind="state", country=Country.objects.get(code="RU"))


@pytest.fixture
def ukraine() -> Actor:
    return actor_create(slug="test-ukraine", name="Ukraine", kind="state", country=Country.objects.get(code="UA"))


def deployment(source, russia, **fields) -> Claim:
    values = {
        "kind": "troop_deployment",
        "status": "ongoing",
        "summary": "Russia deployed soldiers near the border.",
        "subject": russia,
        "quantity_value": 100_000,
        "quantity_qualifier": "more_than",
        "quantity_unit": "soldiers",
        "quantity_text": "over 100,000",
        "quote": QUOTE,
    }
    values.update(fields)
    return claim_create(source=source, **values)


# --- quantities -------------------------------------------------------------


def test_lower_bound_above_upper_bound_is_refused_by_the_service(source, russia):
    with pytest.raises(ValidationError) as caught:
        deployment(
            source,
            russia,
            quantity_value=None,
            quantity_lower=200_000,
            quantity_upper=100_000,
            quantity_qualifier="range",
        )
    assert "lower bound (200000) exceeds the upper bound (100000)" in messages(caught.value, "quantity_lower")
    assert not source.claims.exists()


def test_lower_bound_above_upper_bound_is_refused_by_the_database(source, russia):
    claim = deployment(
        source, russia, quantity_value=None, quantity_lower=100_000, quantity_upper=150_000, quantity_qualifier="range"
    )
    with pytest.raises(IntegrityError, match="claim_quantity_bounds_ordered"):
        with transaction.atomic():
            Claim.objects.filter(pk=claim.pk).update(quantity_lower=200_000, quantity_upper=100_000)
    claim.refresh_from_db()
    assert (claim.quantity_lower, claim.quantity_upper) == (100_000, 150_000)


def test_vague_amount_becomes_a_range(source, russia):
    claim = deployment(
        source, russia, quantity_value=None, quantity_qualifier="", quantity_text="tens of thousands of soldiers"
    )
    claim.refresh_from_db()
    assert (claim.quantity_lower, claim.quantity_upper) == (20_000, 99_999)
    assert claim.quantity_qualifier == "range"
    assert claim.quantity_value is None


def test_approximately_is_ten_percent_either_way(source, russia):
    claim = deployment(source, russia, quantity_qualifier="approximately", quantity_text="about 100,000")
    claim.refresh_from_db()
    assert (claim.quantity_lower, claim.quantity_upper) == (90_000, 110_000)


def test_more_than_has_no_upper_bound(source, russia):
    claim = deployment(source, russia, quantity_qualifier="more_than")
    claim.refresh_from_db()
    assert claim.quantity_lower == 100_000
    assert claim.quantity_upper is None


# --- time -------------------------------------------------------------------


def test_month_precision_dates_are_stored_as_the_edges_of_the_month(source, russia):
    claim = deployment(
        source,
        russia,
        valid_from=datetime.date(2022, 1, 17),
        valid_from_precision="month",
        valid_to=datetime.date(2022, 2, 10),
        valid_to_precision="month",
    )
    claim.refresh_from_db()
    assert claim.valid_from == datetime.date(2022, 1, 1)
    assert claim.valid_to == datetime.date(2022, 2, 28)


# --- quote anchors ----------------------------------------------------------


def test_anchor_is_found_and_stored_with_its_context(source, russia):
    claim = deployment(source, russia)
    anchor = QuoteAnchor.objects.get(claim=claim)
    assert (anchor.start, anchor.end) == (TEXT.index(QUOTE), TEXT.index(QUOTE) + len(QUOTE))
    assert TEXT[anchor.start : anchor.end] == anchor.exact == QUOTE
    assert anchor.prefix == "Russia has amassed "
    assert anchor.suffix == TEXT[anchor.end : anchor.end + 32]


def test_anchor_offsets_outside_the_text_are_refused(source, russia):
    with pytest.raises(ValidationError) as caught:
        deployment(source, russia, quote=QUOTE, quote_start=len(TEXT) - 3)
    assert "lie outside the source text" in messages(caught.value, "start")
    assert not source.claims.exists()


def test_anchor_offsets_that_do_not_hold_the_quote_are_refused(source, russia):
    with pytest.raises(ValidationError) as caught:
        deployment(source, russia, quote=QUOTE, quote_start=1)
    assert "does not match the source text at offset 1" in messages(caught.value, "quote")


def test_quote_not_in_the_text_is_refused(source, russia):
    with pytest.raises(ValidationError) as caught:
        deployment(source, russia, quote="Belarus has amassed")
    assert "not found in the source text" in messages(caught.value, "quote")


def test_ambiguous_quote_is_refused(source, russia):
    with pytest.raises(ValidationError) as caught:
        deployment(source, russia, quote="Russia has amassed")
    message = messages(caught.value, "quote")
    assert "ambiguous" in message and "2 times" in message


def test_ambiguous_quote_with_its_start_offset_is_anchored(source, russia):
    second = TEXT.rindex("Russia has amassed")
    claim = deployment(source, russia, quote="Russia has amassed", quote_start=second)
    assert QuoteAnchor.objects.get(claim=claim).start == second


def test_database_trigger_refuses_an_anchor_that_does_not_match(source, russia):
    claim = deployment(source, russia)
    anchor = QuoteAnchor.objects.get(claim=claim)
    with pytest.raises(DatabaseError, match="does not match the source text"):
        with transaction.atomic():
            QuoteAnchor.objects.filter(pk=claim.pk).update(start=anchor.start + 1, end=anchor.end + 1)
    with pytest.raises(DatabaseError, match="beyond the source text"):
        with transaction.atomic():
            QuoteAnchor.objects.filter(pk=claim.pk).update(start=len(TEXT), end=len(TEXT) + len(QUOTE))
    anchor.refresh_from_db()
    assert TEXT[anchor.start : anchor.end] == QUOTE


def test_database_trigger_errors_are_integrity_errors(source, russia):
    claim = deployment(source, russia)
    with pytest.raises(IntegrityError):
        with transaction.atomic():
            QuoteAnchor.objects.filter(pk=claim.pk).update(start=0, end=len(QUOTE))


# --- unique slugs -----------------------------------------------------------


def test_duplicate_actor_slug_is_refused(russia):
    with pytest.raises(ValidationError) as caught:
        actor_create(slug=russia.slug, name="Russian Federation", kind="state")
    assert "already exists" in messages(caught.value, "slug")

    with pytest.raises(IntegrityError, match="slug"):
        with transaction.atomic():
            Actor.objects.create(slug=russia.slug, name="Russian Federation", kind="state")
    assert Actor.objects.filter(slug=russia.slug).count() == 1


def test_duplicate_source_slug_is_refused(source):
    with pytest.raises(ValidationError) as caught:
        source_create(slug=source.slug, title="Another", kind="news", text="Other text.")
    assert "already exists" in messages(caught.value, "slug")

    with pytest.raises(IntegrityError, match="slug"):
        with transaction.atomic():
            Source.objects.create(slug=source.slug, title="Another", kind="news", text="Other text.")
    assert Source.objects.filter(slug=source.slug).count() == 1


# --- per-kind rules ---------------------------------------------------------


def test_a_deployment_or_casualty_report_without_a_number_keeps_its_kind(source, russia):
    """Kind rules ask only for what every claim of the kind has: a number is what the best ones have."""
    moved = deployment(
        source,
        russia,
        quantity_value=None,
        quantity_qualifier="",
        quantity_unit="",
        quantity_text="",
        status="reported",
    )
    assert (moved.kind, moved.has_quantity) == ("troop_deployment", False)
    killed = claim_create(source=source, kind="casualties", status="completed", summary="People were killed.")
    assert (killed.kind, killed.has_quantity) == ("casualties", False)


def test_troop_deployment_needs_a_subject(source, russia):
    with pytest.raises(ValidationError) as caught:
        deployment(source, None)
    assert "troop deployment claim needs a subject" in messages(caught.value, "subject")


def test_sanctions_need_an_object(source, russia):
    with pytest.raises(ValidationError) as caught:
        claim_create(
            source=source, kind="sanctions", status="threatened", summary="Sanctions are threatened.", subject=russia
        )
    assert re.search(r"sanctions claim needs an? object", messages(caught.value, "object"))


def test_status_must_belong_to_the_kind(source):
    with pytest.raises(ValidationError) as caught:
        claim_create(
            source=source,
            kind="resource",
            status="threatened",
            summary="Ukraine has gas reserves.",
            location=Country.objects.get(code="UA"),
        )
    message = messages(caught.value, "status")
    assert "'threatened' is not a status of a resource claim" in message
    assert "ongoing" in message


# --- derived data -----------------------------------------------------------


def test_derived_country_links_cover_every_role(source, russia, ukraine):
    claim = deployment(
        source,
        russia,
        kind="intervention",
        status="threatened",
        quantity_value=None,
        quantity_qualifier="",
        quantity_unit="",
        quantity_text="",
        object=ukraine,
        location=Country.objects.get(code="BY"),
        countries=[Country.objects.get(code="US")],
    )
    ClaimCountry.objects.filter(claim=claim).delete()
    claims_refresh_derived(claim_ids=[claim.pk])
    codes = set(ClaimCountry.objects.filter(claim=claim).values_list("country_id", flat=True))
    assert codes == {"RU", "UA", "BY", "US"}

    claim.refresh_from_db()
    assert claim.reported_on == datetime.date(2022, 1, 20)


def test_country_links_follow_the_claims_publication_date(source, russia, ukraine):
    claim = deployment(source, russia, object=ukraine)
    links = ClaimCountry.objects.filter(claim=claim)
    assert set(links.values_list("reported_on", flat=True)) == {datetime.date(2022, 1, 20)}

    source_update(source=source, published_on=datetime.date(2022, 2, 3))
    assert set(links.values_list("reported_on", flat=True)) == {datetime.date(2022, 2, 3)}


def test_deferred_refresh_builds_derived_data_once_at_the_end(source, russia, ukraine):
    with claims_refresh_deferred():
        first = deployment(source, russia)
        second = deployment(source, russia, object=ukraine, summary="Another one.")
        claim_update(claim=first, summary="Changed inside the block.")
        assert not ClaimCountry.objects.filter(claim__in=[first, second]).exists()
    assert Claim.objects.filter(pk=first.pk, search_vector="changed").exists()
    assert set(ClaimCountry.objects.filter(claim=second).values_list("country_id", flat=True)) == {"RU", "UA"}


def test_search_vector_covers_the_quote(source, russia):
    claim = deployment(source, russia, quote="Russia has amassed over 100,000 troops")
    # "amassed" is only in the quote, not in the summary or the title.
    assert "amass" not in claim.summary.lower() and "amass" not in source.title.lower()
    found = source.claims.filter(search_vector=SearchQuery("amassing", config="english"))
    assert list(found.values_list("pk", flat=True)) == [claim.pk]
    assert not source.claims.filter(search_vector=SearchQuery("kazakhstan", config="english")).exists()


# --- reference data and sources ----------------------------------------------


def test_countries_are_the_full_iso_3166_list():
    assert Country.objects.count() >= 249
    germany = Country.objects.get(code="DE")
    assert (germany.alpha3, germany.numeric) == ("DEU", "276")


def test_source_stores_the_sha256_of_its_text(source):
    source.refresh_from_db()
    assert source.text_sha256 == hashlib.sha256(TEXT.encode("utf-8")).hexdigest()


def test_source_text_change_that_breaks_an_anchor_is_refused(source, russia):
    claim = deployment(source, russia)
    with pytest.raises(ValidationError) as caught:
        source_update(source=source, text=TEXT.replace("100,000", "90,000"))
    assert f"#{claim.pk}" in messages(caught.value, "text")
    source.refresh_from_db()
    assert source.text == TEXT


def test_source_text_change_that_keeps_the_anchors_is_accepted(source, russia):
    deployment(source, russia)
    longer = TEXT + " More troops are expected."
    source_update(source=source, text=longer)
    source.refresh_from_db()
    assert source.text == longer
    assert source.text_sha256 == hashlib.sha256(longer.encode("utf-8")).hexdigest()
