"""OpenAPI customisation in one place: the shared error component and the errors each operation can answer."""

from django.conf import settings
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


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
# The same header, as the document states it, for the error responses added to every operation.
RETRY_AFTER_HEADER = {"schema": {"type": "integer"}, "description": RETRY_AFTER.description, "required": True}


class HelpTextFilterExtension(DjangoFilterExtension):
    """django-filter parameters whose filter class fixes its schema (``extend_schema_field``) keep their help text."""

    priority = 1  # ahead of drf-spectacular's own extension for django-filter

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = help_text
        return parameters


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
        """Detail operations and creates of views with ETags and If-Match (apps.core.api.viewsets)."""
        return getattr(self.view, "conditional_writes", False) and (self._is_detail() or self.method == "POST")

    def get_request_serializer(self):
        write_serializer = getattr(self.view, "write_serializer_class", None)
        if write_serializer is not None and self.method in ("POST", "PUT", "PATCH"):
            return write_serializer()
        return super().get_request_serializer()

    def get_operation(self, *args, **kwargs):
        """The operation, with every error it can answer added to the responses it declares itself."""
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            responses = operation.setdefault("responses", {})
            for code, description in self._errors().items():
                responses.setdefault(code, self._error_response(code, description))
        return operation

    def _error_response(self, code: str, description: str) -> dict:
        if code == "414":  # gunicorn refuses such a request before the API sees it, with a plain-text page
            return {"description": description}
        response = {}
        if code in RETRY_AFTER.response:
            response["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        error = self.resolve_serializer(ErrorSerializer, "response")
        return {**response, "content": {"application/json": {"schema": error.ref}}, "description": description}

    def _errors(self) -> dict[str, str]:
        method = self.method.upper()
        errors = {
            "400": "Invalid input: a parameter or field is malformed or breaks a rule.",
            "414": "The request line (method, path and query string) is longer than the server accepts "
            "(4,094 bytes under gunicorn's defaults). Answered by the server itself, not in the API's error format.",
        }
        if self.view.throttle_classes:
            errors["429"] = "Too many requests; retry after the number of seconds in Retry-After."
        if getattr(self.view, "uses_database", True):
            errors["503"] = "The database is unavailable; retry after the number of seconds in Retry-After."
        if self._is_detail():
            errors["404"] = "No such resource."
        if method not in ("GET", "HEAD", "OPTIONS"):
            errors["401"] = "Authentication is required to write."
            errors["403"] = "The authenticated user lacks the permission."
            errors["409"] = "The change conflicts with existing data."
        if self._conditional() and method in ("PUT", "PATCH", "DELETE"):
            errors["412"] = "If-Match does not match the current ETag: the resource changed since you read it."
        if method in ("POST", "PUT", "PATCH"):
            errors["413"] = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
            errors["415"] = "The request body is not JSON."
        return errors

    def _is_detail(self) -> bool:
        return "{" in self.path
