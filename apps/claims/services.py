"""Every write to claims, anchors and relations goes through these functions.

The API, the admin and the fixture loader call them, so a claim gets the same
validation, the same anchoring and the same derived data whichever way it comes in.
"""

import copy
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.dispatch import Signal
from simple_history.utils import update_change_reason

from apps.claims.models import Claim, ClaimRelation, QuoteAnchor, ReviewStatus
from apps.claims.review import review_check
from apps.claims.validation import anchor_locate
from apps.countries.models import Country
from apps.sources.models import Source

# The text search configuration of claim_search_vector() (migration 0010), which the search filter must match.
SEARCH_CONFIG = "english"


# Sent with ``claim_ids`` once the derived data of written claims is fresh, so that apps
# built on claims (comparisons) can recompute what they derive from them.
claims_changed = Signal()

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


# Curation fields a write may change without changing what the claim says.
_NOT_CONTENT = frozenset({"review_status", "notes"})


def _changes_content(
    claim: Claim, fields: dict, *, quote: str | None, quote_start: int | None, countries: Iterable[Country] | None
) -> bool:
    """Whether writing ``fields``, ``quote`` and ``countries`` to the stored ``claim`` changes what it says."""
    for name, value in fields.items():
        if name in _NOT_CONTENT:
            continue
        field = Claim._meta.get_field(name)
        current = getattr(claim, field.attname)
        if field.is_relation:
            value = value.pk if value is not None else None
        if current != value:
            return True
    if quote is not None:
        anchor = QuoteAnchor.objects.filter(claim_id=claim.pk).only("exact", "start").first()
        if anchor is None or anchor.exact != quote or quote_start not in (None, anchor.start):
            return True
    if countries is not None:
        if {country.pk for country in countries} != set(claim.countries.values_list("pk", flat=True)):
            return True
    return False


def _review_state(
    claim: Claim | None,
    fields: dict,
    *,
    quote: str | None,
    quote_start: int | None,
    countries: Iterable[Country] | None,
) -> tuple[str | None, bool]:
    """What four-eyes review weighs about writing ``fields`` to ``claim``: its status before the write, and whether
    the write changes what it says. A claim not yet stored has no status, and everything it says is new."""
    if claim is None or claim.pk is None:
        return None, True
    return claim.review_status, _changes_content(
        claim, fields, quote=quote, quote_start=quote_start, countries=countries
    )


def claim_write_review_check(
    *,
    claim: Claim | None,
    by,
    override_reason: str = "",
    quote: str | None = None,
    quote_start: int | None = None,
    countries: Iterable[Country] | None = None,
    **fields,
) -> None:
    """Raise ReviewRefused if claim_create (``claim`` None) or claim_update with these arguments would, without
    writing anything: for forms that show the refusal next to the field before saving."""
    previous_status, edited = _review_state(claim, fields, quote=quote, quote_start=quote_start, countries=countries)
    draft = Claim() if claim is None else copy.copy(claim)
    _apply(draft, fields)
    if edited:
        draft.last_edited_by = by
    review_check(claim=draft, by=by, previous_status=previous_status, edited=edited, override_reason=override_reason)


# Related rows arrive as instances (or, from the importer, as ids it has looked up) and the
# database checks the foreign keys, so re-reading each of them (a query apiece) adds nothing.
_CHECKED_BY_FOREIGN_KEYS = ["countries", "source", "subject", "object", "claimant", "location", "last_edited_by"]


def claim_check(claim: Claim, *, validate_unique: bool = True) -> None:
    """Every rule a claim's own values must meet, whichever way it is written: each field's type, length,
    format and choices, then its kind's rules (``Claim.clean``). Raises a ValidationError naming the fields.

    The check constraints repeat rules ``Claim.clean`` already applies with clearer messages, and Django
    would run a query for each, so they are left to the database.
    """
    claim.full_clean(exclude=_CHECKED_BY_FOREIGN_KEYS, validate_unique=validate_unique, validate_constraints=False)


@transaction.atomic
def claim_create(*, source: Source, countries: Iterable[Country] = (), **arguments) -> Claim:
    """A new claim, written as claim_update writes a change (the same arguments, ``claim`` aside), under the same
    rules and review."""
    return claim_update(claim=Claim(source=source), countries=countries, **arguments)


@transaction.atomic
def claim_update(
    *,
    claim: Claim,
    quote: str | None = None,
    quote_start: int | None = None,
    countries: Iterable[Country] | None = None,
    by=None,
    override_reason: str = "",
    change_reason: str = "",
    **fields,
) -> Claim:
    """Change a claim (or, from claim_create, store a new one). ``by`` is the user writing it (None for operators'
    commands), checked by four-eyes review; a superuser's ``override_reason`` lets them decide on a claim they last
    edited, and is recorded, as is ``change_reason`` (why the change was made) otherwise."""
    if "source" in fields and fields["source"].pk != claim.source_id and quote is None and hasattr(claim, "anchor"):
        # The old offsets mean nothing in another text: re-anchor the same passage there.
        quote, quote_start = claim.anchor.exact, None
    previous_status, edited = _review_state(claim, fields, quote=quote, quote_start=quote_start, countries=countries)
    _apply(claim, fields)
    if edited and by is not None:
        claim.last_edited_by = by
    overridden = review_check(
        claim=claim, by=by, previous_status=previous_status, edited=edited, override_reason=override_reason
    )
    claim_check(claim)
    claim.save()
    if overridden:
        update_change_reason(claim, f"Four-eyes review overridden by a superuser: {override_reason.strip()}")
    elif change_reason.strip():
        update_change_reason(claim, change_reason.strip())
    if countries is not None:
        claim.countries.set(countries)
    if quote is not None:
        anchor_set(claim=claim, exact=quote, start=quote_start)
    claims_refresh_derived(claim_ids=[claim.pk])
    return claim


def claim_delete(*, claim: Claim) -> None:
    claim.delete()


@transaction.atomic
def claim_relation_create(
    *, from_claim: Claim, to_claim: Claim, type: str, note: str = "", created_by=None, id: int | None = None
):
    """A curated relation; ``id`` is given only to restore a dump's relation under the id it had."""
    relation = ClaimRelation(
        id=id, from_claim=from_claim, to_claim=to_claim, type=type, note=note, created_by=created_by
    )
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
def claim_review_status_set(*, claim: Claim, review_status: str, by=None, reason: str = "") -> Claim:
    """Move a claim through review: draft → reviewed → published, or rejected.

    Publishing needs a quote anchor, and every move re-checks the claim against its
    kind's rules; the ValidationError names what is wrong. Four-eyes review applies
    (ReviewRefused) as on every claim write: a superuser's ``reason`` overrides it, and
    whoever decides, the reason goes into the claim's history.
    """
    if review_status == ReviewStatus.PUBLISHED and not QuoteAnchor.objects.filter(claim_id=claim.pk).exists():
        raise ValidationError({"review_status": "A claim without a quote from its source cannot be published."})
    return claim_update(claim=claim, review_status=review_status, by=by, override_reason=reason, change_reason=reason)
