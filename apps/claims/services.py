"""Every write to claims, anchors and relations goes through these functions.

The API, the admin and the fixture loader call them, so a claim gets the same
validation, the same anchoring and the same derived data whichever way it comes in.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal

from apps.claims.models import Claim, ClaimRelation, QuoteAnchor, ReviewStatus
from apps.claims.validation import anchor_locate
from apps.countries.models import Country
from apps.sources.models import Source

SEARCH_CONFIG = "english"

_DELETE_COUNTRY_LINKS = "DELETE FROM claims_claimcountry WHERE claim_id = ANY(%(ids)s)"
_INSERT_COUNTRY_LINKS = """
INSERT INTO claims_claimcountry (claim_id, country_id, reported_on)
SELECT DISTINCT c.id, touched.country_id, c.reported_on
FROM claims_claim c
CROSS JOIN LATERAL (
    SELECT c.location_id
    UNION SELECT a.country_id FROM actors_actor a WHERE a.id IN (c.subject_id, c.object_id)
    UNION SELECT cc.country_id FROM claims_claim_countries cc WHERE cc.claim_id = c.id
) AS touched(country_id)
WHERE c.id = ANY(%(ids)s) AND touched.country_id IS NOT NULL;
"""


def search_vector_sql(*, summary: str, quote: str, title: str) -> str:
    """The SQL expression of a claim's search vector: summary weighs most, then the quote, then the source title."""
    return (
        f"setweight(to_tsvector('{SEARCH_CONFIG}', {summary}), 'A')"
        f" || setweight(to_tsvector('{SEARCH_CONFIG}', coalesce({quote}, '')), 'B')"
        f" || setweight(to_tsvector('{SEARCH_CONFIG}', {title}), 'C')"
    )


def _brief_actor_sql(column: str) -> str:
    return (
        "(SELECT json_build_object('slug', x.slug, 'name', x.name, 'kind', x.kind, 'url', 'actors/' || x.slug || '/') "
        f"FROM actors_actor x WHERE x.id = {column})"
    )


# A country row aliased k.
_BRIEF_COUNTRY_SQL = "json_build_object('code', k.code, 'name', k.name, 'url', 'countries/' || k.code || '/')"


def _timestamp_sql(column: str) -> str:
    return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def list_document_sql(*, claim: str, reported_on: str, anchor: str, involved: str) -> str:
    """The SQL expression of a claim's list document (``Claim.list_document``): ``ClaimSerializer``'s
    representation but for relations and notes, with URLs relative to the API root.

    ``claim`` names a row with the claim's columns, ``reported_on`` is its publication date,
    ``anchor`` a JSON expression for its anchor (or NULL) and ``involved`` a query for the codes
    of its involved countries. The importer, the services and the list page all render with it.
    """
    c = claim
    return f"""json_build_object(
    'id', {c}.id,
    'url', 'claims/' || {c}.id || '/',
    'key', {c}.key,
    'kind', {c}.kind,
    'status', {c}.status,
    'stance', {c}.stance,
    'summary', {c}.summary,
    'source', (SELECT json_build_object(
        'id', x.id, 'slug', x.slug, 'title', x.title, 'publisher', x.publisher,
        'published_on', x.published_on, 'url', 'sources/' || x.slug || '/')
        FROM sources_source x WHERE x.id = {c}.source_id),
    'subject', {_brief_actor_sql(f"{c}.subject_id")},
    'object', {_brief_actor_sql(f"{c}.object_id")},
    'claimant', {_brief_actor_sql(f"{c}.claimant_id")},
    'location', (SELECT {_BRIEF_COUNTRY_SQL} FROM countries_country k WHERE k.code = {c}.location_id),
    'countries', coalesce((SELECT json_agg({_BRIEF_COUNTRY_SQL} ORDER BY k.name, k.code)
        FROM countries_country k WHERE k.code IN ({involved})), '[]'),
    'quantity', CASE
        WHEN {c}.quantity_value IS NULL AND {c}.quantity_lower IS NULL AND {c}.quantity_upper IS NULL THEN NULL
        ELSE json_build_object(
            'value', {c}.quantity_value, 'lower', {c}.quantity_lower, 'upper', {c}.quantity_upper,
            'qualifier', nullif({c}.quantity_qualifier, ''), 'unit', {c}.quantity_unit, 'text', {c}.quantity_text)
        END,
    'valid_from', {c}.valid_from,
    'valid_from_precision', nullif({c}.valid_from_precision, ''),
    'valid_to', {c}.valid_to,
    'valid_to_precision', nullif({c}.valid_to_precision, ''),
    'reported_on', {reported_on},
    'anchor', {anchor},
    'review_status', {c}.review_status,
    'confidence', {c}.confidence,
    'created_at', {_timestamp_sql(f"{c}.created_at")},
    'updated_at', {_timestamp_sql(f"{c}.updated_at")}
)::text"""


def saved_claim_document_sql(claim: str, *, reported_on: str | None = None) -> str:
    """``list_document_sql`` for a claim in claims_claim, with its anchor and countries saved."""
    return list_document_sql(
        claim=claim,
        reported_on=reported_on or f"{claim}.reported_on",
        anchor="(SELECT json_build_object('exact', a.exact, 'start', a.start, 'end', a.\"end\", "
        f"'prefix', a.prefix, 'suffix', a.suffix) FROM claims_quoteanchor a WHERE a.claim_id = {claim}.id)",
        involved=f"SELECT m.country_id FROM claims_claim_countries m WHERE m.claim_id = {claim}.id",
    )


_REFRESH_DERIVED_COLUMNS = f"""
UPDATE claims_claim c
SET reported_on = s.published_on,
    search_vector = {
    search_vector_sql(
        summary="c.summary",
        quote="(SELECT a.exact FROM claims_quoteanchor a WHERE a.claim_id = c.id)",
        title="s.title",
    )
},
    list_document = {saved_claim_document_sql("c", reported_on="s.published_on")}
FROM sources_source s
WHERE s.id = c.source_id AND c.id = ANY(%(ids)s);
"""


# Sent with ``claim_ids`` once the derived data of written claims is fresh, so that apps
# built on claims (comparisons) can recompute what they derive from them.
claims_changed = Signal()

_deferred_refresh: ContextVar[set[int] | None] = ContextVar("deferred_refresh", default=None)


@contextmanager
def claims_refresh_deferred():
    """Within this block, claim writes leave their derived data to one refresh at its end.

    For loaders that write many claims in one transaction: one set-based refresh instead
    of one per claim. Inside the block, derived data (country links, search vector, list
    document) of the claims written so far is stale.
    """
    if _deferred_refresh.get() is not None:  # already deferred by an enclosing block
        yield
        return
    pending: set[int] = set()
    token = _deferred_refresh.set(pending)
    try:
        yield
    finally:
        _deferred_refresh.reset(token)
    claims_refresh_derived(claim_ids=pending)


def claims_refresh_derived(*, claim_ids: Iterable[int]) -> None:
    """Rebuild the derived country links, publication date, search vector and list document of these claims."""
    ids = list(claim_ids)
    if not ids:
        return
    pending = _deferred_refresh.get()
    if pending is not None:
        pending.update(ids)
        return
    with connection.cursor() as cursor:
        # Columns first: the country links copy the refreshed reported_on.
        cursor.execute(_REFRESH_DERIVED_COLUMNS, {"ids": ids})
        cursor.execute(_DELETE_COUNTRY_LINKS, {"ids": ids})
        cursor.execute(_INSERT_COUNTRY_LINKS, {"ids": ids})
    claims_changed.send(sender=Claim, claim_ids=ids)


def anchor_set(*, claim: Claim, exact: str, start: int | None = None) -> QuoteAnchor:
    """Anchor ``claim`` to ``exact`` in its source's stored text, finding the offsets when not given."""
    text = claim.source.text
    begin, end = anchor_locate(text, exact, start)
    anchor, _ = QuoteAnchor.objects.update_or_create(
        claim=claim,
        defaults={
            "exact": exact,
            "start": begin,
            "end": end,
            "prefix": text[max(0, begin - QuoteAnchor.CONTEXT_LENGTH) : begin],
            "suffix": text[end : end + QuoteAnchor.CONTEXT_LENGTH],
        },
    )
    return anchor


def _apply(claim: Claim, fields: dict) -> None:
    for name, value in fields.items():
        setattr(claim, name, value)


def _save_claim(
    claim: Claim, *, quote: str | None, quote_start: int | None, countries: Iterable[Country] | None
) -> Claim:
    # Related objects arrive as instances and the database checks the foreign keys, so
    # re-reading each of them (one query apiece) would add nothing.
    # Claim's check constraints are the rules claim_validate already applied, with clearer
    # messages; Django would re-check each of them with a query of its own.
    claim.full_clean(
        exclude=["countries", "source", "subject", "object", "claimant", "location"], validate_constraints=False
    )
    claim.save()
    if countries is not None:
        claim.countries.set(countries)
    if quote is not None:
        anchor_set(claim=claim, exact=quote, start=quote_start)
    claims_refresh_derived(claim_ids=[claim.pk])
    return claim


@transaction.atomic
def claim_create(
    *,
    source: Source,
    quote: str | None = None,
    quote_start: int | None = None,
    countries: Iterable[Country] = (),
    **fields,
) -> Claim:
    claim = Claim(source=source)
    _apply(claim, fields)
    return _save_claim(claim, quote=quote, quote_start=quote_start, countries=countries)


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    quote: str | None = None,
    quote_start: int | None = None,
    countries: Iterable[Country] | None = None,
    **fields,
) -> Claim:
    source_changed = "source" in fields and fields["source"].pk != claim.source_id
    _apply(claim, fields)
    if source_changed and quote is None and hasattr(claim, "anchor"):
        # The old offsets mean nothing in another text: re-anchor the same passage there.
        quote, quote_start = claim.anchor.exact, None
    return _save_claim(claim, quote=quote, quote_start=quote_start, countries=countries)


def claim_delete(*, claim: Claim) -> None:
    claim.delete()


@transaction.atomic
def claim_relation_create(*, from_claim: Claim, to_claim: Claim, type: str, note: str = "", created_by=None):
    relation = ClaimRelation(from_claim=from_claim, to_claim=to_claim, type=type, note=note, created_by=created_by)
    relation.full_clean()
    relation.save()
    return relation


@transaction.atomic
def claim_relation_update(*, relation: ClaimRelation, **fields) -> ClaimRelation:
    for name, value in fields.items():
        setattr(relation, name, value)
    relation.full_clean()
    relation.save()
    return relation


@transaction.atomic
def claim_review_status_set(*, claim: Claim, review_status: str) -> Claim:
    """Move a claim through review: draft → reviewed → published, or rejected.

    Publishing needs a quote anchor, and every move re-checks the claim against its
    kind's rules; the ValidationError names what is wrong.
    """
    if review_status == ReviewStatus.PUBLISHED and not QuoteAnchor.objects.filter(claim_id=claim.pk).exists():
        raise ValidationError({"review_status": "A claim without a quote from its source cannot be published."})
    return claim_update(claim=claim, review_status=review_status)
