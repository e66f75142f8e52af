import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from apps.claims import exports
from apps.claims.api.filters import AS_OF_RESPONSE_HEADER, ClaimFilterSet, ClaimRelationFilterSet
from apps.claims.api.representation import ClaimRenderer
from apps.claims.api.serializers import (
    ChangePageSerializer,
    ChangeSerializer,
    ClaimCreateSerializer,
    ClaimHistoryEntrySerializer,
    ClaimKindSerializer,
    ClaimRelationSerializer,
    ClaimRelationWriteSerializer,
    ClaimSerializer,
    ClaimStanceSerializer,
    ClaimWriteSerializer,
)
from apps.claims.history import claim_history
from apps.claims.kinds import KIND_RULES, STANCE_DESCRIPTIONS, ClaimKind, ClaimStance
from apps.claims.selectors import (
    changed_at_column,
    changes_head,
    claim_changes,
    sees_drafts,
    visible_claims,
    visible_relations,
)
from apps.claims.services import (
    claim_create,
    claim_delete,
    claim_relation_create,
    claim_relation_update,
    claim_update,
)
from apps.claims.validation import client_field_name
from apps.core.api import sparse
from apps.core.api.caching import CachedReadsMixin
from apps.core.api.negotiation import FixedFormatNegotiation
from apps.core.api.pagination import SinglePage
from apps.core.api.query_parameters import KnownQueryParametersMixin, whole_number_parameter
from apps.core.api.schema import IF_MODIFIED_SINCE, LAST_MODIFIED, ErrorSerializer
from apps.core.api.sparse import fields_parameter, requested_fields
from apps.core.api.viewsets import ServiceModelViewSet
from apps.core.validation import validation_messages
from apps.sources.publication import as_of_headers


def _api_errors(error: DjangoValidationError) -> ApiValidationError:
    by_field: dict[str, list[str]] = {}
    for field, message in validation_messages(error, field_name=client_field_name):
        by_field.setdefault(field or "non_field_errors", []).append(message)
    return ApiValidationError(by_field)


EXPORT_DESCRIPTION = (
    """Every claim the list would return (same filters, same ordering, same visibility:
anonymous clients get published claims only), in one streamed file instead of pages. `cursor`, `page_size`
and `count` are not taken: like any other parameter the list does not know, they are a 400.

- `export.ndjson` (`application/x-ndjson`): one claim per line, exactly as `GET /api/v1/claims/{id}/`
  returns it.
- `export.csv` (`text/csv`, UTF-8, a header row): one row per claim, with the columns
"""
    + "".join(f"\n  - `{column.name}`: {column.description}" for column in exports.CSV_COLUMNS)
    + """

  Empty cells are nulls.
- `export.jsonld` (`application/ld+json`): one JSON-LD document whose `@graph` holds each claim as a
  schema.org `Claim` (its `appearance` in the source a `CreativeWork` with author, publisher and date; its
  `author` the claimant, or else the source's authors), and its quote as a W3C Web Annotation on the
  source (reached through `@reverse` `oa:hasBody`) with a `TextQuoteSelector` (exact, prefix, suffix) and a
  `TextPositionSelector` (start, end: offsets in the source's stored text). The context is inline.

The file is read from one snapshot of the database, however long it takes to download. Its `Changes-Since`
header is the change feed's position when it began: follow `GET /api/v1/changes/?since=<it>` to keep a copy
current (changes just after that position may already be in the file; applying them again is harmless)."""
)

CHANGES_SINCE_HEADER = OpenApiParameter(
    "Changes-Since",
    int,
    OpenApiParameter.HEADER,
    response=True,
    description="The change feed's position when the file began: continue with /api/v1/changes/?since=<it>.",
)
CATCHING_UP = (
    " To keep a copy current, follow /api/v1/changes/; or ask for updated_since=<the newest updated_at you "
    "hold>&ordering=updated_at, which pages in the order claims changed."
)


# Four-eyes review (apps/claims/review.py) as a client meets it when it creates a claim.
NEW_CLAIM_IS_A_DRAFT = (
    "A new claim is a draft: curators and reviewers see it, anonymous readers do not (its URL answers 404 "
    "to them, and lists and exports leave it out) until a reviewer publishes it. Publishing is a review "
    "decision: a reviewer other than the claim's last editor sends `PATCH /api/v1/claims/{id}/` with "
    '`{"review_status": "published"}`, or publishes it from the admin\'s review queue '
    "(`/admin/claims/claim/review-queue/`). Nobody decides on a claim they last edited, so the curator who "
    "wrote it cannot publish it; sending review_status reviewed, published or rejected on create is refused "
    "with 403 (a superuser may override with override_reason)."
)


@extend_schema_view(
    list=extend_schema(
        summary="List claims",
        description="Claims with their actors, countries, source, quote anchor and relations, newest source first. "
        "Anonymous clients see published claims only. Last-Modified is the time of the latest change to any claim "
        "the client may see (including deletions and withdrawals)." + CATCHING_UP,
        parameters=[fields_parameter(ClaimSerializer), AS_OF_RESPONSE_HEADER, LAST_MODIFIED, IF_MODIFIED_SINCE],
    ),
    retrieve=extend_schema(
        summary="Get a claim",
        description="One claim with the exact passage behind it. Last-Modified is its updated_at.",
        parameters=[fields_parameter(ClaimSerializer), LAST_MODIFIED, IF_MODIFIED_SINCE],
    ),
    create=extend_schema(
        summary="Create a claim",
        description="Curators only. Validated by the claim kind's rules; the quote must occur exactly once in the "
        "source's stored text (or give quote_start).\n\n" + NEW_CLAIM_IS_A_DRAFT,
        responses={
            201: OpenApiResponse(
                ClaimSerializer, description="The claim, as a GET of it returns it: a draft. " + NEW_CLAIM_IS_A_DRAFT
            )
        },
    ),
    update=extend_schema(summary="Replace a claim", description="Curators only; same validation as create."),
    partial_update=extend_schema(summary="Update a claim", description="Curators only; same validation as create."),
    destroy=extend_schema(summary="Delete a claim", description="Curators only."),
)
@extend_schema(tags=["claims"])
class ClaimViewSet(ServiceModelViewSet):
    serializer_class = ClaimSerializer
    write_serializer_class = ClaimWriteSerializer
    create_serializer_class = ClaimCreateSerializer
    filterset_class = ClaimFilterSet
    query_parameters = (sparse.PARAMETER,)
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
        # Claims render from their ids (ClaimRenderer): a read looks a claim up by id and needs only its
        # updated_at (Last-Modified); a write loads it whole for the services.
        claims = visible_claims(self.request.user)
        return claims.only("id", "updated_at") if self.request.method in ("GET", "HEAD") else claims

    def claim_renderer(self) -> ClaimRenderer:
        return ClaimRenderer.for_serializer_context(self.get_serializer_context())

    def requested_fields(self) -> frozenset[str] | None:
        if self.request.method not in ("GET", "HEAD") or self.action == "export":
            # A write answers with the whole claim, as a GET of it would; files have fixed columns.
            return None
        return requested_fields(self.request, ClaimSerializer)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "sees_drafts": sees_drafts(self.request.user),
            "fields": self.requested_fields(),
        }

    def list(self, request, *args, **kwargs):
        # The page's query reads the claim columns the renderer needs with the page's keys; their
        # related rows follow in a constant number of queries.
        # Every change to a claim the reader may see, a deletion too, moves the feed's head: no page changed
        # later than it (Last-Modified), and the page's query reads it too.
        renderer = self.claim_renderer()
        claims = renderer.readable(self.filter_queryset(visible_claims(request.user))).annotate(
            changes_head_at=changed_at_column(request.user)
        )
        columns = [*renderer.columns, "changes_head_at"]
        rows = self.paginator.paginate_queryset(claims, request, view=self, columns=columns)
        response = self.paginator.get_paginated_response(renderer.render_rows(rows))
        for name, value in as_of_headers(request.query_params).items():
            response[name] = value
        changed_at = (
            datetime.datetime.fromtimestamp(rows[0]["changes_head_at"], datetime.UTC)
            if rows and rows[0]["changes_head_at"] is not None
            else changes_head(request.user)[1]
        )
        self.date_response(response, changed_at)
        return response

    def retrieve(self, request, *args, **kwargs):
        claim = self.get_object()
        response = self._with_etag(self.get_serializer(claim).data)
        self.date_response(response, claim.updated_at)
        return response

    @extend_schema(
        operation_id="claims_export",
        summary="Export claims as a file",
        description=EXPORT_DESCRIPTION,
        filters=True,
        parameters=[
            CHANGES_SINCE_HEADER,
            OpenApiParameter(
                "export_format",
                str,
                OpenApiParameter.PATH,
                enum=["csv", "ndjson", "jsonld"],
                description="The file format, as the path's extension.",
            ),
        ],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="CSV, one row per claim."),
            (200, exports.NDJSON_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.STR, description="One claim (the Claim schema) per line."
            ),
            (200, exports.JSONLD_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.OBJECT, description="A JSON-LD document of schema.org Claims."
            ),
            404: OpenApiResponse(
                ErrorSerializer, description="No such format: the path ends in .csv, .ndjson or .jsonld."
            ),
        },
    )
    def export(self, request, export_format: str):
        """Routed by ``export_view`` (claims_api/urls.py): a file name, ``export.csv``, takes no trailing slash."""
        claims = self.filter_queryset(visible_claims(request.user))
        # Read before the file's snapshot begins, so the file holds every change up to it.
        position, _ = changes_head(request.user)
        content_type, body = {
            "ndjson": (exports.NDJSON_CONTENT_TYPE, self._export_ndjson),
            "csv": (exports.CSV_CONTENT_TYPE, self._export_csv),
            "jsonld": (exports.JSONLD_CONTENT_TYPE, self._export_jsonld),
        }[export_format]
        return StreamingHttpResponse(
            body(claims),
            content_type=content_type,
            headers={
                "Content-Disposition": f'attachment; filename="claims.{export_format}"',
                "Changes-Since": str(position),
            },
        )

    @classmethod
    def export_view(cls):
        return cls.as_view(
            {"get": "export"},
            detail=False,
            streamed=True,
            pagination_class=None,
            query_parameters=(),  # a file has fixed columns: no sparse fields
            # The path names the format; a client's Accept header (text/csv, …) must not make it a 406.
            content_negotiation_class=FixedFormatNegotiation,
        )

    def _exported(self, claims):
        """The API representation of ``claims``, in order, a chunk at a time, from one snapshot."""
        with exports.consistent_snapshot():
            yield from self.claim_renderer().render_chunks(claims)

    def _export_ndjson(self, claims):
        for chunk in self._exported(claims):
            yield b"".join(exports.ndjson_line(data) for data in chunk)

    def _export_csv(self, claims):
        writer = exports.CsvWriter()
        yield writer.header()
        for chunk in self._exported(claims):
            yield b"".join(writer.row(data) for data in chunk)

    def _export_jsonld(self, claims):
        document_urls = exports.SourceDocumentUrls()
        yield from exports.jsonld_document(
            exports.jsonld_node(data, document_urls[data["source"]["id"]])
            for chunk in self._exported(claims)
            for data in document_urls.loaded_for(chunk)
        )

    def perform_create(self, serializer):
        try:
            serializer.instance = claim_create(by=self.request.user, **serializer.to_service_arguments())
        except DjangoValidationError as error:
            raise _api_errors(error) from None

    def perform_update(self, serializer):
        try:
            serializer.instance = claim_update(
                claim=serializer.instance, by=self.request.user, **serializer.to_service_arguments()
            )
        except DjangoValidationError as error:
            raise _api_errors(error) from None

    def perform_destroy(self, instance):
        claim_delete(claim=instance)

    @extend_schema(
        operation_id="claims_history",
        summary="Get a claim's history",
        description="Curators and reviewers: every change to the claim and its quote, newest first: who, when, "
        "which fields, before and after. Others get 404, as for a claim they may not see.",
        responses=ClaimHistoryEntrySerializer(many=True),
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request, pk=None):
        if not sees_drafts(request.user):
            raise NotFound()
        claim = self.get_object()
        return Response(ClaimHistoryEntrySerializer(claim_history(claim.pk), many=True).data)


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
    ordering_fields = ["id", "created_at", "updated_at", "type"]

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
class ClaimKindViewSet(KnownQueryParametersMixin, viewsets.ViewSet):
    """The closed vocabulary of claim kinds, with the fields and statuses each allows."""

    permission_classes = [AllowAny]
    pagination_class = SinglePage
    serializer_class = ClaimKindSerializer
    lookup_field = "id"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(
        summary="List claim kinds",
        description="Every claim kind with its rules.",
        responses=ClaimKindSerializer(many=True),
    )
    def list(self, request):
        rows = ClaimKindSerializer([_kind_row(kind) for kind in ClaimKind], many=True).data
        return self.pagination_class().get_paginated_response(rows)

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
class ClaimStanceViewSet(KnownQueryParametersMixin, viewsets.ViewSet):
    """The closed vocabulary of stances: how a source puts a claim."""

    permission_classes = [AllowAny]
    pagination_class = SinglePage
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
        return self.pagination_class().get_paginated_response(ClaimStanceSerializer(rows, many=True).data)


CHANGES_DESCRIPTION = """Every change to the claims you may see, in the order it was committed: follow it to keep a
copy (an export, a dump, or pages of the list) exactly current. Each claim appears once, at its latest change,
so a reader catching up fetches each changed claim once.

Start from the `Changes-Since` header of an export (or since=0 for every claim there is), then ask again with
since=`last_seq` until `next` is null, and later from `last_seq` again. For each entry: `created` and
`updated`, GET its `url` and keep it; `deleted` and `withdrawn`, drop your copy. Positions only grow and a
position is never filled in later, so nothing is missed between two requests.

Anonymous readers see published claims only: a claim enters their feed when it is published, and leaves it
with `withdrawn` (unpublished) or `deleted`; they never hear of drafts. Deleted and withdrawn claims are kept
as tombstones."""


@extend_schema(tags=["changes"])
class ClaimChangeViewSet(KnownQueryParametersMixin, CachedReadsMixin, viewsets.GenericViewSet):
    """The change feed of claims (apps.claims.selectors.claim_changes)."""

    permission_classes = [AllowAny]
    pagination_class = None
    filter_backends = []
    query_parameters = ("since", "page_size")
    serializer_class = ChangeSerializer
    page_size = 500
    max_page_size = 5000

    @extend_schema(
        operation_id="changes_list",
        summary="Follow changes to claims",
        description=CHANGES_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "since",
                int,
                description="The position you hold (last_seq of your previous request, or an export's "
                "Changes-Since); 0 or absent for everything.",
            ),
            OpenApiParameter(
                "page_size", int, description=f"Entries per page, 1 to {max_page_size} (default {page_size})."
            ),
        ],
        responses=ChangePageSerializer,
    )
    def list(self, request):
        since = whole_number_parameter(request, "since", default=0, low=0, high=2**63 - 1)
        size = whole_number_parameter(request, "page_size", default=self.page_size, low=1, high=self.max_page_size)
        changes = claim_changes(request.user, since=since, limit=size + 1)
        page = changes[:size]
        last_seq = page[-1].seq if page else since
        more = len(changes) > size
        return Response(
            {
                "next": replace_query_param(request.build_absolute_uri(), "since", last_seq) if more else None,
                "last_seq": last_seq,
                "results": self.get_serializer(page, many=True).data,
            }
        )
