from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from apps.accounts.api.serializers import ApiTokenSerializer
from apps.accounts.services import tokens_revoke, tokens_visible
from apps.core.api.query_parameters import KnownQueryParametersMixin


@extend_schema_view(
    list=extend_schema(
        summary="List API tokens",
        description="Your API tokens (a superuser's: everyone's): when each was made and when it expires. "
        "Only a token's first characters are shown; the secret itself is shown once, when it is made, "
        "and stored only as a hash.",
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        description="Revokes the token with this key at once, for every server. Your own, or any as a superuser.",
    ),
)
@extend_schema(tags=["tokens"])
class ApiTokenViewSet(
    KnownQueryParametersMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = None
    filter_backends = []
    lookup_field = "token_key"
    lookup_url_kwarg = "key"
    lookup_value_regex = "[0-9a-f]{1,25}"

    def get_queryset(self):
        return tokens_visible(self.request.user).select_related("user").order_by("-created", "digest")

    def destroy(self, request, *args, **kwargs):
        tokens_revoke(tokens=self.get_queryset(), key=kwargs["key"])
        return Response(status=status.HTTP_204_NO_CONTENT)
