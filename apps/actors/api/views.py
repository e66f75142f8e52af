from drf_spectacular.utils import extend_schema, extend_schema_view

from apps.actors.api.filters import ActorFilterSet
from apps.actors.api.serializers import ActorSerializer, ActorWriteSerializer
from apps.actors.models import Actor
from apps.actors.services import actor_create, actor_update
from apps.core.api.viewsets import ServiceModelViewSet


@extend_schema_view(
    list=extend_schema(summary="List actors", description="People, states, organisations, alliances and companies."),
    retrieve=extend_schema(summary="Get an actor", description="One actor by slug."),
    create=extend_schema(summary="Create an actor", description="Curators only."),
    update=extend_schema(summary="Replace an actor", description="Curators only."),
    partial_update=extend_schema(summary="Update an actor", description="Curators only."),
    destroy=extend_schema(summary="Delete an actor", description="Curators only; refused while claims refer to it."),
)
@extend_schema(tags=["actors"])
class ActorViewSet(ServiceModelViewSet):
    queryset = Actor.objects.select_related("country")
    serializer_class = ActorSerializer
    write_serializer_class = ActorWriteSerializer
    filterset_class = ActorFilterSet
    lookup_field = "slug"
    ordering = ["name"]
    ordering_fields = ["name", "slug", "created_at", "updated_at"]

    def perform_create(self, serializer):
        serializer.instance = actor_create(**serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = actor_update(actor=serializer.instance, **serializer.validated_data)
