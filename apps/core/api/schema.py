"""OpenAPI customisation in one place: the shared error component and the errors each operation can answer."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="Dotted path of the offending field; null for the whole request.")
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


class ClaimsAutoSchema(AutoSchema):
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
            "429": _error("Too many requests; retry after the number of seconds in Retry-After."),
            "503": _error("The database is unavailable."),
        }
        if self._is_detail():
            extra["404"] = _error("No such resource.")
        if method not in ("GET", "HEAD", "OPTIONS"):
            extra["401"] = _error("Authentication is required to write.")
            extra["403"] = _error("The authenticated user lacks the permission.")
            extra["409"] = _error("The change conflicts with existing data.")
        if method in ("POST", "PUT", "PATCH"):
            extra["413"] = _error("The request body is too large.")
            extra["415"] = _error("The request body is not JSON.")
        for code, response in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code)
        return responses

    def _is_detail(self) -> bool:
        return "{" in self.path
