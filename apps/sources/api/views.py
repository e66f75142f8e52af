from django.db.models.functions import Length
from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.core.api.viewsets import ServiceModelViewSet
from apps.sources.api.filters import SourceFilterSet
from apps.sources.api.serializers import SourceDetailSerializer, SourceSerializer, SourceWriteSerializer
from apps.sources.models import Source
from apps.sources.services import source_create, source_update


@extend_schema_view(
    list=extend_schema(
        summary="List sources", description="Documents that make claims, newest first; without their text."
    ),
    retrieve=extend_schema(summary="Get a source", description="One source by slug, with its stored text."),
    create=extend_schema(summary="Create a source", description="Curators only."),
    update=extend_schema(
        summary="Replace a source", description="Curators only; a new text must still contain every anchored quote."
    ),
    partial_update=extend_schema(
        summary="Update a source", description="Curators only; a new text must still contain every anchored quote."
    ),
    destroy=extend_schema(summary="Delete a source", description="Curators only; refused while the source has claims."),
)
@extend_schema(tags=["sources"])
class SourceViewSet(ServiceModelViewSet):
    serializer_class = SourceSerializer
    write_serializer_class = SourceWriteSerializer
    filterset_class = SourceFilterSet
    lookup_field = "slug"
    ordering = ["-published_on"]
    ordering_fields = ["published_on", "title", "created_at", "updated_at"]

    def get_queryset(self):
        queryset = Source.objects.annotate(text_length=Length("text"))
        if self.action == "list":
            return queryset.defer("text")
        return queryset

    def get_serializer_class(self):
        return SourceSerializer if self.action == "list" else SourceDetailSerializer

    def perform_create(self, serializer):
        serializer.instance = source_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = source_update(source=serializer.instance, **serializer.validated_data)
