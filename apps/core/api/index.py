"""``GET /api/v1/``: where the API's resources, its schema and its documentation are."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


class ApiIndexView(APIView):
    """Links to each resource's list (named by the router's prefixes), the schema and the docs."""

    permission_classes = [AllowAny]
    resources: dict[str, str] = {}  # prefix → URL name of its list, given by the URLconf

    @extend_schema(
        tags=["api"],
        operation_id="api_index",
        summary="API index",
        description="Links to every resource list, the OpenAPI document and its documentation.",
        responses=inline_serializer(
            "ApiIndex",
            fields={
                "resources": serializers.DictField(
                    child=serializers.URLField(), help_text="Each resource's list, by name."
                ),
                "schema": serializers.URLField(help_text="The OpenAPI document."),
                "docs": serializers.URLField(help_text="Swagger UI."),
                "redoc": serializers.URLField(help_text="Redoc."),
            },
        ),
    )
    def get(self, request):
        absolute = request.build_absolute_uri
        return Response(
            {
                "resources": {name: absolute(reverse(url_name)) for name, url_name in self.resources.items()},
                "schema": absolute(reverse("schema")),
                "docs": absolute(reverse("swagger-ui")),
                "redoc": absolute(reverse("redoc")),
            }
        )
