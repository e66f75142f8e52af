import django_filters
from django.db.models import Q

from apps.actors.models import Actor, ActorKind
from apps.core.api.filtering import (
    CountryCodeFilter,
    MultipleValueChoiceFilter,
    RequestedFilterSet,
    UpdatedSinceFilter,
)


class ActorFilterSet(RequestedFilterSet):
    kind = MultipleValueChoiceFilter(choices=ActorKind.choices, help_text="Actor kind(s), comma-separated.")
    country = CountryCodeFilter(field_name="country", help_text="ISO 3166-1 alpha-2 code(s), comma-separated.")
    name = django_filters.CharFilter(method="filter_name", help_text="Part of the name or of an alias, any case.")
    updated_since = UpdatedSinceFilter(
        help_text="Actors changed at or after this RFC 3339 timestamp (e.g. 2022-01-24T09:30:00Z); with "
        "ordering=updated_at, in the order they changed."
    )

    class Meta:
        model = Actor
        fields = ["kind", "country", "name", "updated_since"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(aliases__icontains=value))
