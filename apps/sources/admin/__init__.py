"""The curators' admin for sources: metadata and the stored text (the claims app adds the reader of its quotes)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse

from apps.core.admin import HttpsURLField, ServiceWritesAdmin, VerbatimTextField
from apps.sources.models import Source
from apps.sources.services import source_create, source_delete, source_delete_check, source_text_check, source_update


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
        # Lists and autocompletes need neither the text nor a query per row for the claim count.
        return super().get_queryset(request).annotate(claim_total=Count("claims")).defer("text")

    @admin.display(description="source", ordering="title")
    def label(self, source):
        return str(source)

    @admin.display(description="claims", ordering="claim_total")
    def claim_count(self, source):
        return source.claim_total

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
