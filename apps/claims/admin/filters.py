"""Changelist filters for claims whose choices come from the data: countries, sources, publishers."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from apps.claims.models import ClaimCountry
from apps.core.admin import AutocompleteListFilter
from apps.countries.models import Country
from apps.sources.models import Source


class CountryFilter(admin.SimpleListFilter):
    """A country in any role: location, subject's or object's country, or listed among the claim's countries."""

    title = "country (any role)"
    parameter_name = "country"

    def lookups(self, request, model_admin):
        touched = ClaimCountry.objects.values("country_id")
        return list(Country.objects.filter(code__in=touched).order_by("name").values_list("code", "name"))

    def queryset(self, request, queryset):
        if self.value():
            links = ClaimCountry.objects.filter(claim=OuterRef("pk"), country_id=self.value().upper())
            return queryset.filter(Exists(links))
        return queryset


class SourceFilter(AutocompleteListFilter):
    title = "source"
    field_name = "source"


class SubjectFilter(AutocompleteListFilter):
    title = "subject"
    field_name = "subject"


class PublisherFilter(admin.SimpleListFilter):
    title = "publisher"
    parameter_name = "publisher"

    def lookups(self, request, model_admin):
        publishers = Source.objects.exclude(publisher="").order_by("publisher").values_list("publisher", flat=True)
        return [(publisher, publisher) for publisher in publishers.distinct()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(source__publisher=self.value())
        return queryset
