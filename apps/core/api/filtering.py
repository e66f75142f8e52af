"""Filters that take several values (``kind=a,b`` or ``kind=a&kind=b``) and reject unknown ones with a 400."""

import datetime
import re

import django_filters
import pycountry
from django import forms
from django.db.models import Q
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError

from apps.core.api.errors import QueryParameterError

ISO_ALPHA2_SET = frozenset(country.alpha_2 for country in pycountry.countries)


def _split(values) -> list[str]:
    return [part.strip() for value in values or [] for part in str(value).split(",") if part.strip()]


class CommaSeparatedMultipleChoiceField(forms.MultipleChoiceField):
    def __init__(self, *args, normalise=None, **kwargs):
        self.normalise = normalise
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        values = _split(value)
        return [self.normalise(v) for v in values] if self.normalise else values


class CommaSeparatedModelMultipleChoiceField(django_filters.fields.ModelMultipleChoiceField):
    def clean(self, value):
        return super().clean(_split(value) or None)


class MultipleValueChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CommaSeparatedMultipleChoiceField

    def __init__(self, *args, **kwargs):
        # These filters test a column of the filtered table: no duplicate rows to remove, and a
        # DISTINCT would stop PostgreSQL from reading the newest rows straight off an index.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


class CountryCodesField(forms.Field):
    """Alpha-2 codes, comma-separated or repeated, any case; checked against a set, not a choice list.

    A 249-entry choice list would be deep-copied into every request's filter form.
    """

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[str]:
        codes = [code.upper() for code in _split(value)]
        unknown = [code for code in codes if code not in ISO_ALPHA2_SET]
        if unknown:
            # The codes go in as a parameter: the message is %-formatted later, and may not hold the client's "%".
            raise forms.ValidationError(
                "Unknown country code %(codes)s; use ISO 3166-1 alpha-2 codes such as UA or kz.",
                code="invalid_choice",
                params={"codes": ", ".join(unknown)},
            )
        return codes


# Documented as a pattern, not a 249-member enum, since any case is accepted.
@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$"})
class CountryCodeFilter(django_filters.MultipleChoiceFilter):
    """ISO 3166-1 alpha-2 codes, any case, matched without a lookup query."""

    field_class = CountryCodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"})
class SlugMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    """Objects by slug; an unknown slug is a 400, not an empty list."""

    field_class = CommaSeparatedModelMultipleChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "slug")
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def get_filter_predicate(self, value):
        # Match the foreign key itself, not its slug column through a join.
        return {self.field_name: value}


# A "+" of an offset sent without percent-encoding arrives as a space.
_UNENCODED_OFFSET = re.compile(r"(T[0-9:.]+) ([0-9]{2}:?[0-9]{2})$")


class TimestampField(forms.Field):
    """An RFC 3339 timestamp: a date, a time and a UTC offset (``Z`` or ``+01:00``); never a local time."""

    def to_python(self, value) -> datetime.datetime | None:
        if value in (None, ""):
            return None
        text = _UNENCODED_OFFSET.sub(r"\1+\2", str(value).strip())
        try:
            parsed = datetime.datetime.fromisoformat(text)
            # The database compares in UTC: a moment beyond year 1 or 9999 there is no timestamp at all.
            parsed = parsed.astimezone(datetime.UTC) if parsed.tzinfo is not None else None
        except (ValueError, OverflowError):
            parsed = None
        if parsed is None or "T" not in text.upper():
            raise forms.ValidationError(
                "Use an RFC 3339 timestamp with its offset, such as %(utc)s or %(offset)s (a + percent-encoded).",
                code="invalid",
                params={"utc": "2022-01-24T09:30:00Z", "offset": "2022-01-24T10:30:00%2B01:00"},
            )
        return parsed


@extend_schema_field({"type": "string", "format": "date-time"})
class TimestampFilter(django_filters.Filter):
    """Compares a date-time column with an RFC 3339 timestamp."""

    field_class = TimestampField


class UpdatedSinceFilter(TimestampFilter):
    """``updated_since``: rows changed at or after the timestamp, on their ``updated_at``. Every list that
    can change offers it, with ``ordering=updated_at``, so a mirror catches up the same way on each."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        super().__init__(*args, **kwargs)


class RequestedFilterSet(django_filters.FilterSet):
    """A filter set that builds only the filters the request names.

    django-filter deep-copies every declared filter, builds a form field for each and
    runs each one's ``filter()`` on every request, used or not: on the claims list, with
    twenty filters, that cost more than the page's SQL. A filter the request does not
    name changes nothing, so it is left out. Unbound filter sets (the
    OpenAPI document) still see every filter.
    """

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            self.base_filters = {name: f for name, f in self.base_filters.items() if name in data}
        super().__init__(data, *args, **kwargs)


def any_of(*lookups: str, values) -> Q:
    condition = Q()
    for lookup in lookups:
        condition |= Q(**{f"{lookup}__in": values})
    return condition


class QueryFilterBackend(DjangoFilterBackend):
    """django-filter's backend, its 400s marked as query-parameter errors."""

    def filter_queryset(self, request, queryset, view):
        try:
            return super().filter_queryset(request, queryset, view)
        except ValidationError as error:
            raise QueryParameterError(error.detail) from None
