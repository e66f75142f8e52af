"""Reads of the country table for other apps."""

from apps.countries.models import Country

# Countries are reference data: a migration loads them and nothing edits them afterwards (the
# admin is read-only), so a process may keep them once read instead of asking the database for
# them on every page. A code not seen yet (a table loaded after the first read) reloads the map.
# The instances are shared: readers only.
_countries: dict[str, Country] = {}


def reference_country(code: str) -> Country:
    """The country with this alpha-2 code."""
    if code not in _countries:
        _countries.update((country.code, country) for country in Country.objects.all())
    return _countries[code]


def country_name(code: str) -> str:
    """The name of the country with this alpha-2 code."""
    return reference_country(code).name
