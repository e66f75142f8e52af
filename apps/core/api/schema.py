"""OpenAPI customisation in one place: the shared error component and the errors each operation can answer."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted path of the offending field; null for the whole request."
    )
    code = serializers.CharField(help_text="Machine-readable reason, e.g. required, invalid_choice, not_found.")
    message = serializers.CharField(help_text="Human-readable reason.")


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code.")
    code = serializers.CharField(help_text="Machine-readable error code, e.g. invalid, not_found, permission_denied.")
    detail = serializers.CharField(help_text="Human-readable summary.")
    errors = FieldErrorSerializer(many=True, help_text="Field-level problems; empty when none apply.")

    class Meta:
        ref_name = "Error"


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(response=ErrorSerializer, description=description)


ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=["200", "201"],
    required=True,
    description="Strong validator of this representation; send it back in If-Match to update or delete safely.",
)
IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='Optional. The ETag you last read, e.g. "3f2a…" (with the quotes), or *. When it no longer '
    "matches the resource, nothing is changed and the answer is 412: read it again, reapply your change, retry.",
)
RETRY_AFTER = OpenApiParameter(
    "Retry-After",
    int,
    OpenApiParameter.HEADER,
    response=["429", "503"],
    required=True,
    description="Seconds to wait before retrying.",
)


def _may_be_blank(field) -> bool:
    """Whether a serializer field can hold "": it allows blank input, or its model field is blank=True."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source or field.source == "*":
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class TokenScheme(OpenApiAuthenticationExtension):
    """API tokens (django-rest-knox) under the security scheme's established name, `Authorization: Token …`."""

    target_class = "knox.auth.TokenAuthentication"
    name = "tokenAuth"
    priority = 1  # over drf-spectacular's own knox extension, which names it knoxApiToken

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


class ClaimsAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), RETRY_AFTER]
        if self._conditional():
            if self.method in ("PUT", "PATCH", "DELETE"):
                parameters.append(IF_MATCH)
            if self.method != "DELETE":
                parameters.append(ETAG)
        return parameters

    def get_auth(self):
        auths = super().get_auth()
        anonymous = any(getattr(permission, "anonymous_reads", False) for permission in self.view.get_permissions())
        if anonymous and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # credentials are optional: anonymous clients read published data
        return auths

    def _conditional(self) -> bool:
        """Detail operations and creates of views with ETags and If-Match (apps.core.api.viewsets), not their
        extra actions (such as a claim's history)."""
        extra_actions = {action.__name__ for action in getattr(self.view, "get_extra_actions", list)()}
        return (
            getattr(self.view, "conditional_writes", False)
            and getattr(self.view, "action", None) not in extra_actions
            and (self._is_detail() or self.method == "POST")
        )

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if isinstance(field, serializers.URLField) and schema.get("format") == "uri" and _may_be_blank(field):
            # An unknown URL is stored and served as "", which format: uri would reject.
            del schema["format"]
            schema["description"] = " ".join(filter(None, [schema.get("description"), "A URL, or empty when unknown."]))

    def get_request_serializer(self):
        write_serializer = getattr(self.view, "write_serializer_class", None)
        if write_serializer is not None and self.method in ("POST", "PUT", "PATCH"):
            return write_serializer()
        return super().get_request_serializer()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        extra = {
            "400": _error("Invalid input: a parameter or field is malformed or breaks a rule."),
            # gunicorn refuses such a request before the API sees it, with a plain-text page.
            "414": OpenApiResponse(
                description="The request line (method, path and query string) is longer than the server accepts "
                "(4,094 bytes under gunicorn's defaults). Answered by the server itself, not in the API's error format."
            ),
        }
        if self.view.throttle_classes:
            extra["429"] = _error("Too many requests; retry after the number of seconds in Retry-After.")
        if getattr(self.view, "uses_database", True):
            extra["503"] = _error("The database is unavailable; retry after the number of seconds in Retry-After.")
        if self._is_detail():
            extra["404"] = _error("No such resource.")
        if any(isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()):
            extra["401"] = _error("Authentication is required.")
        if method not in ("GET", "HEAD", "OPTIONS"):
            extra["401"] = _error("Authentication is required to write.")
            extra["403"] = _error("The authenticated user lacks the permission.")
            extra["409"] = _error("The change conflicts with existing data.")
        if self._conditional() and method in ("PUT", "PATCH", "DELETE"):
            extra["412"] = _error("If-Match does not match the current ETag: the resource changed since you read it.")
        if method in ("POST", "PUT", "PATCH"):
            extra["413"] = _error(f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.")
            extra["415"] = _error("The request body is not JSON.")
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return responses

    def _is_detail(self) -> bool:
        return "{" in self.path
