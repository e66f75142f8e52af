from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from apps.core.api.caching import CachedReadsMixin
from apps.core.api.query_parameters import KnownQueryParametersMixin
from apps.countries.api.filters import CountryFilterSet
from apps.countries.api.serializers import CountrySerializer
from apps.countries.models import Country


@extend_schema_view(
    list=extend_schema(summary="List countries", description="Every ISO 3166-1 country, by name."),
    retrieve=extend_schema(summary="Get a country", description="One country by its alpha-2 code (any case)."),
)
@extend_schema(tags=["countries"])
class CountryViewSet(KnownQueryParametersMixin, CachedReadsMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    ordering = ["name"]
    ordering_fields = ["name", "code"]

    def get_object(self):
        self.kwargs["code"] = self.kwargs["code"].upper()
        return super().get_object()
