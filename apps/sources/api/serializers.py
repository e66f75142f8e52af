from rest_framework import serializers

from apps.sources.models import Source


class SourceBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="slug")

    class Meta:
        model = Source
        fields = ["id", "slug", "title", "publisher", "published_on", "url"]


class SourceSerializer(serializers.ModelSerializer):
    """A source without its text: what lists return."""

    url = serializers.HyperlinkedIdentityField(view_name="api:source-detail", lookup_field="slug")

    class Meta:
        model = Source
        fields = [
            "id",
            "slug",
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
    document_url = serializers.URLField(source="url", required=False, allow_blank=True, max_length=1000)

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
