from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.claims.api.filters import AS_OF_RESPONSE_HEADER, AS_OF_RULE_HELP
from apps.claims.visibility import visible_claims
from apps.comparisons.api.filters import ComparisonFilterSet
from apps.comparisons.api.serializers import ComparisonSerializer, PropositionSerializer
from apps.comparisons.models import Membership
from apps.comparisons.selectors import as_of_from, comparison_build, propositions_compared, visible_propositions
from apps.sources.publication import AsOfRule, as_of_header, as_of_headers

AS_OF_HEADER = AS_OF_RESPONSE_HEADER


class AsOfQuerySerializer(serializers.Serializer):
    as_of = serializers.DateField(
        required=False, help_text="Only claims reported by this date (YYYY-MM-DD), as on the claim list."
    )
    as_of_rule = serializers.ChoiceField(choices=AsOfRule.choices, required=False, help_text=AS_OF_RULE_HELP)


class ComparisonResponseMixin:
    def comparison_response(self, request, proposition) -> Response:
        query = AsOfQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        as_of = as_of_from(date=query.validated_data.get("as_of"), rule=query.validated_data.get("as_of_rule"))
        comparison = comparison_build(proposition=proposition, user=request.user, as_of=as_of)
        data = ComparisonSerializer(comparison, context={"request": request}).data
        headers = {"As-Of": as_of_header(as_of=as_of.date, rule=as_of.rule)} if as_of else {}
        return Response(data, headers=headers)


@extend_schema_view(
    list=extend_schema(
        summary="List comparisons",
        description="Propositions (what several claims speak about) with published claims from two or more "
        "documents, disputed ones first. Open one for its claims, verdicts and summary.",
        parameters=[AS_OF_HEADER],
    ),
    retrieve=extend_schema(
        summary="Get a comparison",
        description="One proposition's claims side by side: every pair of claims from different documents with "
        "the verdict the rules compute, the rule, and the curated relation that overrides it when there is one; "
        "the span of the reported figures, the values all of them allow, and an overall agreement label.",
        parameters=[AsOfQuerySerializer, AS_OF_HEADER],
        responses=ComparisonSerializer,
    ),
)
@extend_schema(tags=["comparisons"])
class ComparisonViewSet(
    ComparisonResponseMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = PropositionSerializer
    filterset_class = ComparisonFilterSet
    ordering = ["-disputed", "id"]
    ordering_fields = ["disputed", "id"]

    def get_queryset(self):
        return propositions_compared(self.request.user).select_related(
            "subject", "subject_country", "object", "object_country", "location"
        )

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        for name, value in as_of_headers(request.query_params).items():
            response[name] = value
        return response

    def retrieve(self, request, *args, **kwargs):
        proposition = get_object_or_404(visible_propositions(request.user), pk=kwargs["pk"])
        return self.comparison_response(request, proposition)


@extend_schema(
    tags=["comparisons"],
    summary="Compare a claim with the other documents",
    description="The comparison of the proposition the claim belongs to (see GET /comparisons/{id}/).",
    parameters=[AsOfQuerySerializer, AS_OF_HEADER],
    responses=ComparisonSerializer,
)
class ClaimComparisonView(ComparisonResponseMixin, APIView):
    def get(self, request, pk: int):
        claim = get_object_or_404(visible_claims(request.user).only("id"), pk=pk)
        membership = (
            Membership.objects.select_related(
                "proposition__subject",
                "proposition__subject_country",
                "proposition__object",
                "proposition__object_country",
                "proposition__location",
            )
            .filter(claim=claim)
            .first()
        )
        if membership is None:
            raise NotFound("This claim has not been grouped yet; run manage.py recompute_comparisons.")
        return self.comparison_response(request, membership.proposition)
