"""The curators' admin for sources: metadata and the stored text (the claims app adds the reader of its quotes)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import path, reverse

from apps.core.admin import HttpsURLField, ServiceWritesAdmin, VerbatimTextField
from apps.sources.models import Source
from apps.sources.services import source_create, source_delete, source_delete_check, source_text_check, source_update

PUBLISHERS_PER_PAGE = 20


class SourceAdminForm(forms.ModelForm):
    class Meta:
        model = Source
        fields = "__all__"
        # Quotes are anchored to the text character by character: no stripping, no CRLF.
        field_classes = {"text": VerbatimTextField, "url": HttpsURLField}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 24, "class": "vLargeTextField source-text-field"}),
            "metadata_notes": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and "text" in self.changed_data and cleaned.get("text") is not None:
            source_text_check(source=self.instance, text=cleaned["text"])
        return cleaned


@admin.register(Source)
class SourceAdmin(ServiceWritesAdmin):
    form = SourceAdminForm
    list_display = ("label", "publisher", "published_on", "kind", "language", "claim_count")
    list_filter = ("kind", "language", "published_precision")
    search_fields = ("title", "slug", "publisher", "url")
    ordering = ("-published_on", "id")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("text_sha256", "created_at", "updated_at", "recent_changes")

    def get_fieldsets(self, request, obj=None):
        document = (
            "Document",
            {
                "fields": [
                    "title",
                    "slug",
                    "authors",
                    "publisher",
                    "url",
                    ("published_on", "published_precision"),
                    ("language", "kind"),
                    "metadata_notes",
                ]
            },
        )
        if obj is None:
            return [document, ("Stored text", {"fields": ["text"]})]
        return [
            document,
            (
                "Stored text",
                {
                    "fields": ["text", "text_sha256"],
                    "classes": ["collapse"],
                    "description": "Every claim's quote is anchored to this text by character offsets; a change that "
                    "removes a quoted passage is refused.",
                },
            ),
            ("Record", {"fields": [("created_at", "updated_at"), "recent_changes"], "classes": ["collapse"]}),
        ]

    def get_queryset(self, request):
        # Lists and autocompletes need neither the text nor a query per row for the claim count. The count
        # is a subquery rather than a join and GROUP BY: PostgreSQL then counts only the rows of the page,
        # and the changelist's own counts and filter choices never touch the claims.
        # (The claims app sits above this one, so its model is reached through the reverse relation.)
        claim_model = Source._meta.get_field("claims").related_model
        claims = claim_model.objects.filter(source=OuterRef("pk")).order_by().values("source")
        total = Subquery(claims.annotate(total=Count("pk")).values("total"), output_field=IntegerField())
        return super().get_queryset(request).annotate(claim_total=Coalesce(total, 0)).defer("text")

    @admin.display(description="source", ordering="title")
    def label(self, source):
        return str(source)

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, source):
        return source.claim_total

    def get_urls(self):
        publishers = path(
            "publishers/",
            self.admin_site.admin_view(self.publishers_view),
            name="sources_source_publishers",
        )
        return [publishers, *super().get_urls()]

    def publishers_view(self, request):
        """The publishers whose name contains ``term``, as the admin's select2 boxes read them (the
        publisher filters type ahead: listing all of them would fill a page)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        term = request.GET.get("term", "").strip()
        raw_page = request.GET.get("page", "")
        page = int(raw_page) if raw_page.isascii() and raw_page.isdigit() else 1  # "²" is a digit int() refuses
        names = Source.objects.exclude(publisher="").order_by("publisher").values_list("publisher", flat=True)
        if term:
            names = names.filter(publisher__icontains=term)
        start = (max(page, 1) - 1) * PUBLISHERS_PER_PAGE
        found = list(names.distinct()[start : start + PUBLISHERS_PER_PAGE + 1])
        return JsonResponse(
            {
                "results": [{"id": name, "text": name} for name in found[:PUBLISHERS_PER_PAGE]],
                "pagination": {"more": len(found) > PUBLISHERS_PER_PAGE},
            }
        )

    # Writes go through the services --------------------------------------------------------

    def service_create(self, fields):
        return source_create(**fields)

    def service_update(self, source, fields):
        source_update(source=source, **fields)

    def delete_view(self, request, object_id, extra_context=None):
        source = self.get_object(request, unquote(object_id))
        if source is not None and self.has_delete_permission(request, source):
            try:
                source_delete_check(source=source)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect(reverse("admin:sources_source_change", args=[source.pk]))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        source_delete(source=obj)

    def delete_queryset(self, request, queryset):
        for source in queryset:
            source_delete(source=source)
