from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.claims.api.filters import AS_OF_RESPONSE_HEADER, AS_OF_RULE_HELP
from apps.claims.selectors import visible_claims
from apps.comparisons.api.filters import ComparisonFilterSet
from apps.comparisons.api.serializers import (
    ComparisonSerializer,
    MergeSerializer,
    MoveSerializer,
    PropositionSerializer,
    ReleaseSerializer,
    SplitSerializer,
)
from apps.comparisons.models import KEY_RELATIONS
from apps.comparisons.selectors import (
    as_of_from,
    claim_proposition,
    comparison_build,
    comparisons_build,
    propositions_compared,
    visible_proposition,
)
from apps.comparisons.services import claim_move, claim_release, proposition_split, propositions_merge
from apps.core.api.caching import CachedReadsMixin
from apps.core.api.query_parameters import KnownQueryParametersMixin
from apps.sources.publication import AsOfRule, as_of_header, as_of_headers

AS_OF_HEADER = AS_OF_RESPONSE_HEADER
PROPOSITION_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The proposition's id.")
# Pairs grow with the square of a proposition's claims (300 claims make up to 44,850 pairs), so a response
# carries at most this many; ``pairs_next`` links to the rest.
PAIRS_PER_RESPONSE = 500
PAIRS_RULE = (
    f"A comparison lists every claim, but at most {PAIRS_PER_RESPONSE} pairs per response, in the order of "
    "their claims' reports: `pairs_count` says how many there are, and `pairs_next` (then `pairs_previous`) "
    "links to the next (previous) ones. The summary always judges every pair."
)


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="Only claims reported by this date (YYYY-MM-DD), as on the claim list."
    )
    as_of_rule = serializers.ChoiceField(choices=AsOfRule.choices, required=False, help_text=AS_OF_RULE_HELP)


class PairsQuerySerializer(serializers.Serializer):
    pairs_offset = serializers.IntegerField(
        min_value=0,
        default=0,
        help_text=f"How many pairs to skip: the pairs come {PAIRS_PER_RESPONSE} at a time (follow `pairs_next`).",
    )


class CuratesClaims(BasePermission):
    """Anyone may read; regrouping claims is curating them, so it needs the permission to change claims."""

    anonymous_reads = True

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or request.user.has_perm("claims.change_claim")


def _service_call(function, **arguments):
    try:
        return function(**arguments)
    except DjangoValidationError as error:
        raise ApiValidationError(error.message_dict) from None


class ComparisonResponseMixin:
    def as_of(self, request):
        query = AsOfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return as_of_from(date=query.validated_data.get("as_of"), rule=query.validated_data.get("as_of_rule"))

    def comparison_response(self, request, proposition, status_code=status.HTTP_200_OK) -> Response:
        as_of = self.as_of(request)
        pairs = PairsQuerySerializer(data=request.query_params)
        pairs.is_valid(raise_exception=True)
        comparison = comparison_build(
            proposition=proposition,
            user=request.user,
            as_of=as_of,
            pairs_offset=pairs.validated_data["pairs_offset"],
            pairs_limit=PAIRS_PER_RESPONSE,
            spans=False,  # drawn by charts, not shown by the API
        )
        data = ComparisonSerializer(comparison, context={"request": request}).data
        headers = {"As-Of": as_of_header(as_of=as_of.date, rule=as_of.rule)} if as_of else {}
        return Response(data, status=status_code, headers=headers)


@extend_schema_view(
    list=extend_schema(
        summary="List comparisons",
        description="Propositions (what several claims speak about) with published claims from two or more "
        "documents, disputed ones first, each with its claims side by side, every pair's verdicts and the "
        f"summary (as GET /comparisons/{{id}}/ gives them). {PAIRS_RULE}",
        parameters=[AS_OF_HEADER],
        responses=ComparisonSerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="Get a comparison",
        description="One proposition's claims side by side: every pair of claims from different documents with "
        "the verdict the rules compute, the rule, and the curated relation that overrides it when there is one; "
        "the span of the reported figures, the values all of them allow, and an overall agreement label. "
        f"{PAIRS_RULE}",
        parameters=[PROPOSITION_ID, AsOfQuerySerializer, PairsQuerySerializer, AS_OF_HEADER],
        responses=ComparisonSerializer,
    ),
)
@extend_schema(tags=["comparisons"])
class ComparisonViewSet(
    KnownQueryParametersMixin,
    CachedReadsMixin,
    ComparisonResponseMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PropositionSerializer
    filterset_class = ComparisonFilterSet
    permission_classes = [CuratesClaims]
    lookup_value_regex = "[0-9]+"
    ordering = ["-disputed", "id"]
    ordering_fields = ["disputed", "id"]

    def get_queryset(self):
        return propositions_compared(self.request.user).select_related(*KEY_RELATIONS)

    def list(self, request, *args, **kwargs):
        as_of = self.as_of(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        comparisons = comparisons_build(
            propositions=page, user=request.user, as_of=as_of, pairs_limit=PAIRS_PER_RESPONSE, spans=False
        )
        data = ComparisonSerializer(comparisons, many=True, context=self.get_serializer_context()).data
        response = self.get_paginated_response(data)
        for name, value in as_of_headers(request.query_params).items():
            response[name] = value
        return response

    def retrieve(self, request, *args, **kwargs):
        return self.comparison_response(request, self._proposition(request, kwargs["pk"]))

    def _proposition(self, request, pk):
        proposition = visible_proposition(request.user, pk)
        if proposition is None:
            raise NotFound()
        return proposition

    @extend_schema(
        summary="Move a claim into this proposition",
        description="Curators only. The claim stays here whatever the grouping rule says (it is pinned), until "
        "released. A claim of another kind is refused.",
        parameters=[PROPOSITION_ID],
        request=MoveSerializer,
        responses=ComparisonSerializer,
    )
    @action(detail=True, methods=["post"])
    def claims(self, request, pk=None):
        proposition = self._proposition(request, pk)
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _service_call(claim_move, proposition=proposition, **body.validated_data)
        return self.comparison_response(request, proposition)

    @extend_schema(
        summary="Merge propositions into this one",
        description="Curators only. Every claim of the given propositions moves here, pinned; they disappear. "
        "Propositions of another kind are refused.",
        parameters=[PROPOSITION_ID],
        request=MergeSerializer,
        responses=ComparisonSerializer,
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        proposition = self._proposition(request, pk)
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        _service_call(
            propositions_merge,
            into=proposition,
            merged=body.validated_data["propositions"],
            note=body.validated_data["note"],
        )
        return self.comparison_response(request, proposition)

    @extend_schema(
        summary="Split claims off into a new proposition",
        description="Curators only. The claims (all of one kind) leave their propositions for a new one, pinned there.",
        request=SplitSerializer,
        responses={201: ComparisonSerializer},
    )
    @action(detail=False, methods=["post"])
    def split(self, request):
        body = SplitSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposition = _service_call(proposition_split, **body.validated_data)
        return self.comparison_response(request, proposition, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Give a claim back to the grouping rule",
        description="Curators only. Undoes a move, merge or split for this claim: the rule places it again.",
        request=ReleaseSerializer,
        responses=ComparisonSerializer,
    )
    @action(detail=False, methods=["post"])
    def release(self, request):
        body = ReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposition = _service_call(claim_release, claim=body.validated_data["claim"])
        return self.comparison_response(request, proposition)


@extend_schema(
    tags=["comparisons"],
    summary="Compare a claim with the other documents",
    description=f"The comparison of the proposition the claim belongs to (see GET /comparisons/{{id}}/). {PAIRS_RULE}",
    parameters=[AsOfQuerySerializer, PairsQuerySerializer, AS_OF_HEADER],
    responses=ComparisonSerializer,
)
class ClaimComparisonView(CachedReadsMixin, ComparisonResponseMixin, APIView):
    permission_classes = [CuratesClaims]

    def get(self, request, pk: int):
        proposition = claim_proposition(request.user, pk)
        if proposition is None:
            # Only a miss pays for telling an unknown (or hidden) claim from one not grouped yet.
            if not visible_claims(request.user).filter(pk=pk).exists():
                raise NotFound()
            raise NotFound("This claim has not been grouped yet; run manage.py recompute_comparisons.")
        return self.comparison_response(request, proposition)
