"""The one rule that turns a stated amount into bounds.

"over 100,000" is more than 100,000, "about 9,000" is 9,000 ± 10 %, and vague
words such as "tens of thousands" become a range from ``VAGUE_AMOUNTS``. The
fixture loader, the API and the admin all call ``quantity_bounds`` so that the
same wording always gets the same bounds. fixtures/README.md shows the table.
"""

from django.db import models


class QuantityQualifier(models.TextChoices):
    EXACT = "exact", "Exact"
    APPROXIMATELY = "approximately", "Approximately"
    MORE_THAN = "more_than", "More than"
    AT_LEAST = "at_least", "At least"
    LESS_THAN = "less_than", "Less than"
    AT_MOST = "at_most", "At most"
    RANGE = "range", "Range"


class QuantityUnit(models.TextChoices):
    SOLDIERS = "soldiers", "Soldiers"
    PEOPLE = "people", "People"
    PERCENT = "percent", "Percent"
    AIRCRAFT = "aircraft", "Aircraft"
    SHIPS = "ships", "Ships"
    DRONES = "drones", "Drones"
    MISSILES = "missiles", "Missiles"
    RANK = "rank", "Rank"
    YEARS = "years", "Years"
    COUNTRIES = "countries", "Countries"
    OTHER = "other", "Other"


APPROXIMATION = 0.10


def quantity_given(value: float | None, lower: float | None, upper: float | None) -> bool:
    """Whether a claim states an amount at all: a figure or either bound."""
    return any(figure is not None for figure in (value, lower, upper))


# A plural of a magnitude: at least two of it, less than the next magnitude.
VAGUE_AMOUNTS: dict[str, tuple[float, float]] = {
    "dozens": (24, 99),
    "hundreds": (200, 999),
    "thousands": (2_000, 9_999),
    "tens of thousands": (20_000, 99_999),
    "hundreds of thousands": (200_000, 999_999),
    "millions": (2_000_000, 9_999_999),
}


def vague_amount_bounds(text: str) -> tuple[float, float] | None:
    """Bounds for wording that contains a vague amount ("tens of thousands of soldiers")."""
    words = " ".join(text.lower().split())
    # Longest phrase first, so "tens of thousands" wins over "thousands".
    for phrase in sorted(VAGUE_AMOUNTS, key=len, reverse=True):
        if phrase in words:
            return VAGUE_AMOUNTS[phrase]
    return None


def quantity_bounds(
    *, value: float | None, qualifier: str, lower: float | None = None, upper: float | None = None
) -> tuple[float | None, float | None]:
    """Lower and upper bounds implied by a value and its qualifier.

    Bounds given explicitly win; a qualifier only fills what is missing.
    """
    if value is None:
        return lower, upper
    derived: dict[str, tuple[float | None, float | None]] = {
        QuantityQualifier.EXACT: (value, value),
        # Rounded so that 10 % of 100,000 is 110,000, not 110,000.00000000001.
        QuantityQualifier.APPROXIMATELY: (round(value * (1 - APPROXIMATION), 6), round(value * (1 + APPROXIMATION), 6)),
        QuantityQualifier.MORE_THAN: (value, None),
        QuantityQualifier.AT_LEAST: (value, None),
        QuantityQualifier.LESS_THAN: (None, value),
        QuantityQualifier.AT_MOST: (None, value),
        QuantityQualifier.RANGE: (None, None),
    }
    derived_lower, derived_upper = derived.get(qualifier, (None, None))
    return (lower if lower is not None else derived_lower, upper if upper is not None else derived_upper)
