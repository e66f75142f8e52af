from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.claims.api.filters import ClaimFilterSet, ClaimRelationFilterSet
from apps.claims.api.serializers import (
    ClaimKindSerializer,
    ClaimRelationSerializer,
    ClaimRelationWriteSerializer,
    ClaimSerializer,
    ClaimStanceSerializer,
    ClaimWriteSerializer,
)
from apps.claims.kinds import KIND_RULES, STANCE_DESCRIPTIONS, ClaimKind, ClaimStance
from apps.claims.selectors import claims_for_reading, claims_in_order, sees_drafts, visible_claims, visible_relations
from apps.claims.services import (
    claim_create,
    claim_delete,
    claim_relation_create,
    claim_relation_update,
    claim_update,
)
from apps.claims.validation import client_field_name
from apps.core.api.sparse import fields_parameter, requested_fields
from apps.core.api.viewsets import ServiceModelViewSet
from apps.core.validation import validation_messages


def _api_errors(error: DjangoValidationError) -> ApiValidationError:
    by_field: dict[str, list[str]] = {}
    for field, message in validation_messages(error, field_name=client_field_name):
        by_field.setdefault(field or "non_field_errors", []).append(message)
    return ApiValidationError(by_field)


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description="Claims with their actors, countries, source, quote anchor and relations, newest source first. "
        "Anonymous clients see published claims only.",
        parameters=[fields_parameter(ClaimSerializer)],
    ),
    retrieve=extend_schema(
        summary="Get a claim",
        description="One claim with the exact passage behind it.",
        parameters=[fields_parameter(ClaimSerializer)],
    ),
    create=extend_schema(
        summary="Create a claim",
        description="Curators only. Validated by the claim kind's rules; the quote must occur exactly once in the "
        "source's stored text (or give quote_start).",
    ),
    update=extend_schema(summary="Replace a claim", description="Curators only; same validation as create."),
    partial_update=extend_schema(summary="Update a claim", description="Curators only; same validation as create."),
    destroy=extend_schema(summary="Delete a claim", description="Curators only."),
)
@extend_schema(tags=["claims"])
class ClaimViewSet(ServiceModelViewSet):
    serializer_class = ClaimSerializer
    write_serializer_class = ClaimWriteSerializer
    filterset_class = ClaimFilterSet
    ordering = ["-reported_on"]
    ordering_fields = {
        "reported_on": "reported_on",
        "valid_from": "valid_from",
        "valid_to": "valid_to",
        "created_at": "created_at",
        "updated_at": "updated_at",
        "quantity": "quantity_lower",
        "position": "anchor__start",
        "id": "id",
    }

    def get_queryset(self):
        return claims_for_reading(self.request.user, fields=self.requested_fields())

    def requested_fields(self) -> frozenset[str] | None:
        if self.request.method not in ("GET", "HEAD"):
            return None  # a write answers with the whole claim, as a GET of it would
        return requested_fields(self.request, ClaimSerializer)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "sees_drafts": sees_drafts(self.request.user),
            "fields": self.requested_fields(),
        }

    def list(self, request, *args, **kwargs):
        # Filters and keyset pagination pick the page's ids from the indexes alone; then the
        # page's claims are read whole, with their related rows, in a constant number of queries.
        claims = self.filter_queryset(visible_claims(request.user))
        ids = [key["pk"] for key in self.paginator.paginate_queryset(claims, request, view=self, keys_only=True)]
        page = claims_in_order(request.user, ids, fields=self.requested_fields())
        return self.paginator.get_paginated_response(self.get_serializer(page, many=True).data)

    def perform_create(self, serializer):
        try:
            serializer.instance = claim_create(**serializer.to_service_arguments())
        except DjangoValidationError as error:
            raise _api_errors(error) from None

    def perform_update(self, serializer):
        try:
            serializer.instance = claim_update(claim=serializer.instance, **serializer.to_service_arguments())
        except DjangoValidationError as error:
            raise _api_errors(error) from None

    def perform_destroy(self, instance):
        claim_delete(claim=instance)


@extend_schema_view(
    list=extend_schema(
        summary="List claim relations",
        description="Curated links between claims (corroborates, contradicts, supersedes, same event, "
        "changed over time), with both ends.",
    ),
    retrieve=extend_schema(summary="Get a claim relation", description="One relation with both claims."),
    create=extend_schema(summary="Relate two claims", description="Curators only; one relation per pair and type."),
    update=extend_schema(summary="Replace a claim relation", description="Curators only."),
    partial_update=extend_schema(summary="Update a claim relation", description="Curators only."),
    destroy=extend_schema(summary="Delete a claim relation", description="Curators only."),
)
@extend_schema(tags=["claim-relations"])
class ClaimRelationViewSet(ServiceModelViewSet):
    serializer_class = ClaimRelationSerializer
    write_serializer_class = ClaimRelationWriteSerializer
    filterset_class = ClaimRelationFilterSet
    ordering = ["id"]
    ordering_fields = ["id", "created_at", "type"]

    def get_queryset(self):
        return (
            visible_relations(self.request.user)
            .select_related("from_claim__source", "to_claim__source")
            .defer(
                "from_claim__source__text",
                "to_claim__source__text",
                "from_claim__search_vector",
                "to_claim__search_vector",
            )
        )

    def perform_create(self, serializer):
        try:
            serializer.instance = claim_relation_create(created_by=self.request.user, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _api_errors(error) from None

    def perform_update(self, serializer):
        try:
            serializer.instance = claim_relation_update(relation=serializer.instance, **serializer.validated_data)
        except DjangoValidationError as error:
            raise _api_errors(error) from None


def _kind_row(kind: ClaimKind) -> dict:
    rule = KIND_RULES[kind]
    return {
        "id": kind.value,
        "label": kind.label,
        "description": rule.description,
        "required_fields": list(rule.required),
        "statuses": [status.value for status in rule.statuses],
    }


@extend_schema(tags=["claim-kinds"])
class ClaimKindViewSet(viewsets.ViewSet):
    """The closed vocabulary of claim kinds, with the fields and statuses each allows."""

    permission_classes = [AllowAny]
    serializer_class = ClaimKindSerializer
    lookup_field = "id"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(
        summary="List claim kinds",
        description="Every claim kind with its rules.",
        responses=ClaimKindSerializer(many=True),
    )
    def list(self, request):
        return Response(ClaimKindSerializer([_kind_row(kind) for kind in ClaimKind], many=True).data)

    @extend_schema(
        summary="Get a claim kind",
        description="One claim kind with its rules.",
        parameters=[OpenApiParameter("id", str, OpenApiParameter.PATH, enum=[k.value for k in ClaimKind])],
    )
    def retrieve(self, request, id=None):
        if id not in ClaimKind.values:
            raise NotFound(f"No claim kind {id!r}; see /api/v1/claim-kinds/.")
        return Response(ClaimKindSerializer(_kind_row(ClaimKind(id))).data)


@extend_schema(tags=["claim-stances"])
class ClaimStanceViewSet(viewsets.ViewSet):
    """The closed vocabulary of stances: how a source puts a claim."""

    permission_classes = [AllowAny]
    serializer_class = ClaimStanceSerializer

    @extend_schema(
        summary="List claim stances",
        description="Every stance a claim can take, with what it means.",
        responses=ClaimStanceSerializer(many=True),
    )
    def list(self, request):
        rows = [
            {"id": stance.value, "label": stance.label, "description": STANCE_DESCRIPTIONS[stance]}
            for stance in ClaimStance
        ]
        return Response(ClaimStanceSerializer(rows, many=True).data)
