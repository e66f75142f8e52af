"""The curators' admin for actors; writes go through apps.actors.services."""

from django.contrib import admin
from django.db.models import F, Func, TextField, Value

from apps.actors.models import Actor
from apps.actors.services import actor_create, actor_update
from apps.core.admin import ServiceWritesAdmin


@admin.register(Actor)
class ActorAdmin(ServiceWritesAdmin):
    list_display = ("name", "kind", "country", "aliases_label", "wikidata_qid", "slug")
    list_select_related = ("country",)
    list_filter = ("kind",)
    search_fields = ("name", "slug", "wikidata_qid")
    search_help_text = "Name, alias, slug or Wikidata QID."
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("country",)
    readonly_fields = ("created_at", "updated_at", "recent_changes")
    fieldsets = [
        (None, {"fields": ["name", "slug", "kind", "country", "aliases", "wikidata_qid", "description"]}),
        ("Record", {"fields": [("created_at", "updated_at"), "recent_changes"], "classes": ["collapse"]}),
    ]

    @admin.display(description="aliases")
    def aliases_label(self, actor):
        return ", ".join(actor.aliases)

    def get_search_results(self, request, queryset, search_term):
        """Also match any alias ("Russian Federation" finds Russia), here and in every actor autocomplete."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            aliases = Func(F("aliases"), Value(" | "), function="array_to_string", output_field=TextField())
            by_alias = queryset.annotate(alias_text=aliases).filter(alias_text__icontains=term).values("pk")
            results = results | queryset.filter(pk__in=by_alias)
        return results, may_have_duplicates

    def service_create(self, fields):
        return actor_create(**fields)

    def service_update(self, actor, fields):
        actor_update(actor=actor, **fields)
