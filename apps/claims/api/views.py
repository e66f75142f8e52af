import orjson
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from apps.claims.api.filters import AS_OF_RESPONSE_HEADER, ClaimFilterSet, ClaimRelationFilterSet
from apps.claims.api.listing import claims_page_json
from apps.claims.api.serializers import (
    ClaimKindSerializer,
    ClaimRelationSerializer,
    ClaimRelationWriteSerializer,
    ClaimSerializer,
    ClaimStanceSerializer,
    ClaimWriteSerializer,
)
from apps.claims.kinds import KIND_RULES, STANCE_DESCRIPTIONS, ClaimKind, ClaimStance
from apps.claims.models import ClaimRelation
from apps.claims.services import (
    claim_create,
    claim_delete,
    claim_relation_create,
    claim_relation_update,
    claim_update,
)
from apps.claims.validation import client_field_name
from apps.claims.visibility import sees_drafts, visible_claims, visible_relations
from apps.core.api.viewsets import ServiceModelViewSet
from apps.sources.publication import as_of_headers


def _api_errors(error: DjangoValidationError) -> ApiValidationError:
    if hasattr(error, "error_dict"):
        return ApiValidationError({client_field_name(f): msgs for f, msgs in error.message_dict.items()})
    return ApiValidationError({"non_field_errors": error.messages})


def _relations_towards(end: str, user):
    """Relations whose ``end`` claim the user may see, with that claim's brief fields joined in."""
    relations = ClaimRelation.objects.select_related(f"{end}__source").only(
        "id",
        "type",
        "note",
        "from_claim_id",
        "to_claim_id",
        f"{end}__id",
        f"{end}__kind",
        f"{end}__summary",
        f"{end}__source__slug",
    )
    return relations if sees_drafts(user) else relations.filter(**{f"{end}__review_status": "published"})


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description="Claims with their actors, countries, source, quote anchor and relations, newest source first. "
        "Anonymous clients see published claims only.",
        parameters=[AS_OF_RESPONSE_HEADER],
    ),
    retrieve=extend_schema(summary="Get a claim", description="One claim with the exact passage behind it."),
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
        user = self.request.user
        return (
            visible_claims(user)
            .select_related("source", "subject", "object", "claimant", "location", "anchor")
            .defer("source__text", "source__metadata_notes", "search_vector", "list_document")
            .prefetch_related(
                "countries",
                Prefetch("relations_from", _relations_towards("to_claim", user)),
                Prefetch("relations_to", _relations_towards("from_claim", user)),
            )
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "sees_drafts": sees_drafts(self.request.user)}

    def list(self, request, *args, **kwargs):
        # Filters and keyset pagination pick the page's ids; PostgreSQL renders the page (see listing.py).
        claims = self.filter_queryset(visible_claims(request.user))
        keys = self.paginator.paginate_queryset(claims, request, view=self, keys_only=True)
        page = claims_page_json(
            ids=[key["pk"] for key in keys],
            api_root=request.build_absolute_uri(reverse("api:claim-list").removesuffix("claims/")),
            sees_drafts=sees_drafts(request.user),
        )
        response = self.paginator.get_paginated_response(orjson.Fragment(page))
        for name, value in as_of_headers(request.query_params).items():
            response[name] = value
        return response

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
                "from_claim__list_document",
                "to_claim__list_document",
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
