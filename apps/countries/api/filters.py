import django_filters

from apps.core.api.filtering import RequestedFilterSet
from apps.countries.models import Country


class CountryFilterSet(RequestedFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the country's name, any case.")

    class Meta:
        model = Country
        fields = ["name"]
