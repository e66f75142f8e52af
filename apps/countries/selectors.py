"""Reads of the country table for other apps."""

from apps.countries.models import Country

# Countries are reference data: a migration loads them and nothing edits them afterwards (the
# admin is read-only), so a process may keep their names once read instead of asking the
# database for them on every page. A code not seen yet (a table loaded after the first read)
# reloads the map.
_names: dict[str, str] = {}


def country_name(code: str) -> str:
    """The name of the country with this alpha-2 code."""
    if code not in _names:
        _names.update(Country.objects.values_list("code", "name"))
    return _names[code]
