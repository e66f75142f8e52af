import django_filters

from apps.countries.models import Country


class CountryFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", help_text="Part of the country's name, any case.")

    class Meta:
        model = Country
        fields = ["name"]
