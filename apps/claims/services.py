"""Every write to claims, anchors and relations goes through these functions.

The API, the admin and the fixture loader call them, so a claim gets the same
validation, the same anchoring and the same derived data whichever way it comes in.
"""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from apps.claims.models import Claim, ClaimRelation, QuoteAnchor, ReviewStatus
from apps.claims.validation import anchor_locate
from apps.countries.models import Country
from apps.sources.models import Source

# The text search configuration of claim_search_vector() (migration 0010), which the search filter must match.
SEARCH_CONFIG = "english"


_deferred_refresh: ContextVar[set[int] | None] = ContextVar("deferred_refresh", default=None)


@contextmanager
def claims_refresh_deferred():
    """Within this block, claim writes leave their derived data to one refresh at its end.

    For loaders that write many claims in one transaction: one set-based refresh instead
    of one per claim. Inside the block, derived data (country links, search vector,
    publication date) of the claims written so far is stale.
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
    """Rebuild the derived country links, publication date and search vector of these claims.

    The database function does the work (see migration 0010): its triggers call it too, when a
    source or an actor changes what claims derive from them.
    """
    ids = list(claim_ids)
    if not ids:
        return
    pending = _deferred_refresh.get()
    if pending is not None:
        pending.update(ids)
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT claims_refresh_derived(%s::bigint[])", [ids])


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


# Related rows arrive as instances (or, from the importer, as ids it has looked up) and the
# database checks the foreign keys, so re-reading each of them (a query apiece) adds nothing.
_CHECKED_BY_FOREIGN_KEYS = ["countries", "source", "subject", "object", "claimant", "location"]


def claim_check(claim: Claim, *, validate_unique: bool = True) -> None:
    """Every rule a claim's own values must meet, whichever way it is written: each field's type, length,
    format and choices, then its kind's rules (``Claim.clean``). Raises a ValidationError naming the fields.

    The check constraints repeat rules ``Claim.clean`` already applies with clearer messages, and Django
    would run a query for each, so they are left to the database.
    """
    claim.full_clean(exclude=_CHECKED_BY_FOREIGN_KEYS, validate_unique=validate_unique, validate_constraints=False)


def _save_claim(
    claim: Claim, *, quote: str | None, quote_start: int | None, countries: Iterable[Country] | None
) -> Claim:
    claim_check(claim)
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
