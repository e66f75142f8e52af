"""The rules every write path (API, admin, fixture loader, importer) applies to claims.

Each failure is reported against the field a user would correct.
"""

from django.core.exceptions import ValidationError

from apps.claims.kinds import KIND_RULES, ClaimKind
from apps.claims.quantities import QuantityQualifier, quantity_bounds, vague_amount_bounds
from apps.core.dates import period_end, period_start
from apps.core.words import with_article

QUANTITY_FIELDS = ("quantity_value", "quantity_lower", "quantity_upper")

# Clients (API, NDJSON, fixtures) write a claim's amount as a nested ``quantity`` object:
# its parts and the model fields that hold them.
QUANTITY_PARTS = {part: f"quantity_{part}" for part in ("value", "lower", "upper", "qualifier", "unit", "text")}

# Errors are raised against model fields; messages name the field as the client wrote it.
_CLIENT_FIELD_NAMES = {
    **{field: f"quantity.{part}" for part, field in QUANTITY_PARTS.items()},
    "start": "quote_start",
}


def client_field_name(model_field: str) -> str:
    return _CLIENT_FIELD_NAMES.get(model_field, model_field)


def claim_normalise(claim) -> None:
    """Fill what follows from what was given: bounds from the qualifier, period edges from the precision."""
    if claim.valid_from and claim.valid_from_precision:
        claim.valid_from = period_start(claim.valid_from, claim.valid_from_precision)
    if claim.valid_to and claim.valid_to_precision:
        claim.valid_to = period_end(claim.valid_to, claim.valid_to_precision)

    if not claim.has_quantity and claim.quantity_text and claim.quantity_qualifier in ("", QuantityQualifier.RANGE):
        vague = vague_amount_bounds(claim.quantity_text)
        if vague:
            claim.quantity_lower, claim.quantity_upper = vague
            claim.quantity_qualifier = QuantityQualifier.RANGE
        return
    if claim.quantity_value is not None and not claim.quantity_qualifier:
        claim.quantity_qualifier = QuantityQualifier.EXACT
    if claim.quantity_qualifier:
        claim.quantity_lower, claim.quantity_upper = quantity_bounds(
            value=claim.quantity_value,
            qualifier=claim.quantity_qualifier,
            lower=claim.quantity_lower,
            upper=claim.quantity_upper,
        )


def _quantity_errors(claim) -> dict[str, str]:
    errors: dict[str, str] = {}
    lower, upper, value = claim.quantity_lower, claim.quantity_upper, claim.quantity_value
    if not claim.has_quantity:
        if claim.quantity_unit or claim.quantity_qualifier:
            errors["quantity_value"] = "A unit or qualifier was given without any figure or bound."
        return errors
    if not claim.quantity_unit:
        errors["quantity_unit"] = "A quantity needs a unit."
    if lower is not None and upper is not None and lower > upper:
        errors["quantity_lower"] = f"The lower bound ({lower:g}) exceeds the upper bound ({upper:g})."
    elif value is not None and ((lower is not None and value < lower) or (upper is not None and value > upper)):
        errors["quantity_value"] = f"The value ({value:g}) lies outside its bounds."
    if claim.quantity_qualifier == QuantityQualifier.RANGE and (lower is None or upper is None):
        errors["quantity_qualifier"] = "A range needs both a lower and an upper bound."
    for field in QUANTITY_FIELDS:
        figure = getattr(claim, field)
        if figure is not None and figure < 0:
            errors[field] = "Quantities cannot be negative."
    return errors


def _kind_errors(claim) -> dict[str, str]:
    rule = KIND_RULES.get(claim.kind)
    if rule is None:
        return {}
    errors: dict[str, str] = {}
    a_claim = with_article(f"{ClaimKind(claim.kind).label.lower()} claim")
    for field in rule.required:
        if getattr(claim, f"{field}_id") is None:
            errors[field] = f"{a_claim[0].upper()}{a_claim[1:]} needs {with_article(field)}."
    if claim.status and claim.status not in rule.statuses:
        allowed = ", ".join(rule.statuses)
        errors["status"] = f"'{claim.status}' is not a status of {a_claim}; use one of: {allowed}."
    return errors


def _time_errors(claim) -> dict[str, str]:
    errors: dict[str, str] = {}
    if claim.valid_from and not claim.valid_from_precision:
        errors["valid_from_precision"] = "Say how precise the start date is (day, month or year)."
    if claim.valid_to and not claim.valid_to_precision:
        errors["valid_to_precision"] = "Say how precise the end date is (day, month or year)."
    if claim.valid_from_precision and not claim.valid_from:
        errors["valid_from"] = "A precision was given without a start date."
    if claim.valid_to_precision and not claim.valid_to:
        errors["valid_to"] = "A precision was given without an end date."
    if claim.valid_from and claim.valid_to and claim.valid_from > claim.valid_to:
        errors["valid_to"] = "The valid time ends before it starts."
    return errors


def claim_validate(claim) -> None:
    claim_normalise(claim)
    errors = {**_quantity_errors(claim), **_time_errors(claim), **_kind_errors(claim)}
    if errors:
        raise ValidationError(errors)


def anchor_locate(text: str, exact: str, start: int | None = None) -> tuple[int, int]:
    """Offsets of ``exact`` in ``text``; with ``start`` given, checks it instead of searching."""
    if not exact:
        raise ValidationError({"quote": "The quote is empty."})
    if start is not None:
        end = start + len(exact)
        if start < 0 or end > len(text):
            raise ValidationError(
                {"start": f"The offsets {start}–{end} lie outside the source text ({len(text)} characters)."}
            )
        if text[start:end] != exact:
            raise ValidationError({"quote": f"The quote does not match the source text at offset {start}."})
        return start, end
    first = text.find(exact)
    if first == -1:
        raise ValidationError({"quote": "The quote was not found in the source text."})
    if text.find(exact, first + 1) != -1:
        count = text.count(exact)
        raise ValidationError(
            {
                "quote": f"The quote is ambiguous: it occurs {count} times in the source text; "
                "quote more, or give its start offset."
            }
        )
    return first, first + len(exact)
