from rest_framework import serializers

from apps.core.api.fields import IdentityUrlField, PreciseDateField
from apps.sources.models import Source

# Shared by what the API shows and what it accepts.
FIELD_HELP = {
    "title": "The document's own title; empty when it has none (label then names the source).",
    "authors": "The authors' names as the document gives them; empty when unsigned.",
    "publisher": "Who published the document (outlet, institution); empty when unknown.",
}


class SourceLabelMixin(serializers.Serializer):
    label = serializers.CharField(
        read_only=True,
        help_text="How to cite the source: its title, or for an untitled one its kind, authors, publisher and "
        "date, e.g. 'Untitled opinion piece by Michel Kerres, January 2022'.",
    )


class SourceBriefSerializer(SourceLabelMixin, serializers.ModelSerializer):
    """Who reported a claim: its source as the claim cites it."""

    url = IdentityUrlField(view_name="api:source-detail", lookup_field="slug")

    class Meta:
        model = Source
        fields = ["id", "slug", "label", "title", "authors", "publisher", "published_on", "url"]
        extra_kwargs = {name: {"help_text": text} for name, text in FIELD_HELP.items()}


class SourceSerializer(SourceLabelMixin, serializers.ModelSerializer):
    """A source without its text: what lists return."""

    url = IdentityUrlField(view_name="api:source-detail", lookup_field="slug")

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
            "label",
            "title",
            "authors",
            "publisher",
            "url",
            "document_url",
            "published_on",
            "published_precision",
            "language",
            "kind",
            "text_sha256",
            "text_length",
            "metadata_notes",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {name: {"help_text": text} for name, text in FIELD_HELP.items()}

    # Not a URLField: an unknown URL is served as "", which its format: uri would not allow.
    document_url = serializers.CharField(
        source="url", read_only=True, help_text="Where the document was published. A URL, or empty when unknown."
    )
    text_length = serializers.IntegerField(read_only=True, help_text="Length of the stored text in characters.")


class SourceDetailSerializer(SourceSerializer):
    """A source with its stored text, which every quote's offsets refer to."""

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "text"]


class SourceWriteSerializer(serializers.ModelSerializer):
    document_url = serializers.URLField(
        source="url",
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text="Where the document was published; empty when unknown.",
    )
    published_on = PreciseDateField(
        precision_field="published_precision",
        allow_null=True,
        required=False,
        help_text="When the document was published (YYYY-MM-DD); for a month or year, its first day.",
    )

    class Meta:
        model = Source
        fields = [
            "slug",
            "title",
            "authors",
            "publisher",
            "document_url",
            "published_on",
            "published_precision",
            "language",
            "kind",
            "text",
            "metadata_notes",
        ]
        extra_kwargs = {
            **{name: {"help_text": text} for name, text in FIELD_HELP.items()},
            "slug": {"help_text": "The source's identifier in URLs and in claims' source field."},
            "published_precision": {
                "help_text": "How precise published_on is: day, month or year; unknown when there is no date."
            },
            "kind": {"help_text": "What sort of document: news, opinion, editorial, analysis, policy report…"},
        }
