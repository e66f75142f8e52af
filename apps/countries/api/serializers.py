from rest_framework import serializers

from apps.core.api.fields import IdentityUrlField
from apps.countries.models import Country


class CountryBriefSerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:country-detail", lookup_field="code", lookup_sample="ZZ")

    class Meta:
        model = Country
        fields = ["code", "name", "url"]


class CountrySerializer(serializers.ModelSerializer):
    url = IdentityUrlField(view_name="api:country-detail", lookup_field="code", lookup_sample="ZZ")

    class Meta:
        model = Country
        fields = ["code", "alpha3", "numeric", "name", "official_name", "url"]


class CountryCodeField(serializers.SlugRelatedField):
    """A country given by its ISO 3166-1 alpha-2 code, in any case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Country.objects.all())
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)
