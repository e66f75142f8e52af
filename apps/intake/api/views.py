from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from apps.core.api.query_parameters import KnownQueryParametersMixin
from apps.intake.api.serializers import SourceCandidatesSerializer
from apps.intake.selectors import source_candidates
from apps.sources.models import Source

CURATE = "claims.add_claim"


class MayCurate(BasePermission):
    """Candidates are curators' working material: to anyone else the resource does not exist (404)."""

    # Read by apps.core.api.schema: credentials are optional, since anyone else gets a 404, not a 401.
    anonymous_reads = True

    def has_permission(self, request, view):
        if not request.user.has_perm(CURATE):
            raise NotFound()
        return True


@extend_schema(tags=["sources"])
class SourceCandidateViewSet(KnownQueryParametersMixin, viewsets.ViewSet):
    permission_classes = [MayCurate]
    pagination_class = None

    @extend_schema(
        summary="Candidate claims of a source",
        description=(
            "Curators only (others get 404). Every sentence of the source that states an amount, one candidate "
            "per amount with its bounds parsed by the same rule as claims' quantities, and every sentence that "
            "names a country or a known actor; with a suggested kind, subject and location where the sentence "
            "makes them clear, and the claims whose quotes already overlap it. Dismissed candidates are left out."
        ),
        parameters=[OpenApiParameter("source_slug", str, OpenApiParameter.PATH, description="The source's slug.")],
        responses=SourceCandidatesSerializer,
    )
    def list(self, request, source_slug: str):
        source = get_object_or_404(Source, slug=source_slug)
        results = [{**asdict(candidate), "claims": claims} for candidate, claims in source_candidates(source=source)]
        data = {"source": source.slug, "count": len(results), "results": results}
        return Response(SourceCandidatesSerializer(data).data)
