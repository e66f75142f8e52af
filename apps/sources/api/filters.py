import django_filters

from apps.core.api.filtering import MultipleValueChoiceFilter, RequestedFilterSet
from apps.sources.models import Source, SourceKind


class SourceFilterSet(RequestedFilterSet):
    publisher = django_filters.CharFilter(
        field_name="publisher", lookup_expr="iexact", help_text="Publisher name, exact but any case."
    )
    published_from = django_filters.DateFilter(field_name="published_on", lookup_expr="gte", help_text="YYYY-MM-DD.")
    published_to = django_filters.DateFilter(field_name="published_on", lookup_expr="lte", help_text="YYYY-MM-DD.")
    kind = MultipleValueChoiceFilter(choices=SourceKind.choices, help_text="Source kind(s), comma-separated.")
    language = django_filters.CharFilter(help_text="BCP 47 language tag, e.g. en.")

    class Meta:
        model = Source
        fields = ["publisher", "published_from", "published_to", "kind", "language"]
