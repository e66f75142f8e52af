"""A claim's amount, time and passage in the words a reader expects, not the API's fields."""

import re

from apps.claims.quantities import QuantityUnit
from apps.core.dates import date_phrase


def number(value: float) -> str:
    """100000.0 → "100,000"; 63.5 → "63.5"."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def quantity_bounds_phrase(lower: float | None, upper: float | None, unit: str) -> str:
    """What the bounds allow: "between 90,000 and 110,000 soldiers", "at least 100,000 soldiers"."""
    noun = "" if unit == QuantityUnit.OTHER else f" {QuantityUnit(unit).label.lower()}" if unit else ""
    if unit == QuantityUnit.PERCENT:
        noun = " %"
    if lower is not None and upper is not None:
        if lower == upper:
            return f"exactly {number(lower)}{noun}"
        return f"between {number(lower)} and {number(upper)}{noun}"
    if lower is not None:
        return f"at least {number(lower)}{noun}, no upper bound"
    if upper is not None:
        return f"at most {number(upper)}{noun}"
    return ""


def valid_time_phrase(claim) -> str:
    """When the claimed situation holds: "January 2022", "from 2014 to March 2022", "since 2014"."""
    start = date_phrase(claim.valid_from, claim.valid_from_precision)
    end = date_phrase(claim.valid_to, claim.valid_to_precision)
    if start and end:
        return start if start == end else f"from {start} to {end}"
    if start:
        return f"since {start}"
    if end:
        return f"until {end}"
    return ""


# A sentence ends at ., ! or ? followed by white space, or at a blank line.
_SENTENCE_END = re.compile(r"[.!?][\"')\]]*\s+|\n\s*\n")


def sentences_before(text: str, count: int) -> str:
    """The end of ``text``: the start of the passage's own sentence and ``count`` whole sentences before it."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[ends[-count - 1] :] if len(ends) > count else text.lstrip()


def sentences_after(text: str, count: int) -> str:
    """The start of ``text``: the rest of the passage's own sentence and ``count`` whole sentences after it."""
    ends = [match.end() for match in _SENTENCE_END.finditer(text)]
    return text[: ends[count]].rstrip() if len(ends) > count else text.rstrip()
