"""Reads of the country table for other apps."""

from collections.abc import Iterable

from apps.core.queries import among
from apps.countries.models import Country


def countries_by_code(codes: Iterable[str | None]) -> dict[str, Country]:
    """The countries with these alpha-2 codes (None is skipped), by code, in one query (none for no codes).

    Read each time rather than kept by the process: a country renamed by a later migration, or by hand,
    shows its new name at once in every worker."""
    codes = {code for code in codes if code is not None}
    if not codes:
        return {}
    return {country.code: country for country in Country.objects.filter(among("code", codes)).order_by()}
