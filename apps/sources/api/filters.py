import django_filters

from apps.core.api.filtering import MultipleValueChoiceFilter, RequestedFilterSet, UpdatedSinceFilter
from apps.sources.models import Source, SourceKind


class SourceFilterSet(RequestedFilterSet):
    publisher = django_filters.CharFilter(
        field_name="publisher", lookup_expr="iexact", help_text="Publisher name, exact but any case."
    )
    published_from = django_filters.DateFilter(field_name="published_on", lookup_expr="gte", help_text="YYYY-MM-DD.")
    published_to = django_filters.DateFilter(field_name="published_on", lookup_expr="lte", help_text="YYYY-MM-DD.")
    kind = MultipleValueChoiceFilter(choices=SourceKind.choices, help_text="Source kind(s), comma-separated.")
    language = django_filters.CharFilter(help_text="BCP 47 language tag, e.g. en.")
    updated_since = UpdatedSinceFilter(
        help_text="Sources changed at or after this RFC 3339 timestamp (e.g. 2022-01-24T09:30:00Z); with "
        "ordering=updated_at, in the order they changed."
    )

    class Meta:
        model = Source
        fields = ["publisher", "published_from", "published_to", "kind", "language", "updated_since"]
