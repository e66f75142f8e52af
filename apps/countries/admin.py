"""Countries are ISO 3166-1 reference data loaded by migration: curators look them up, nobody edits them."""

from django.contrib import admin

from apps.countries.models import Country


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "alpha3", "numeric", "official_name")
    search_fields = ("name", "code", "alpha3", "official_name")
    search_help_text = "Name, alpha-2 or alpha-3 code."

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
