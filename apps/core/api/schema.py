"""OpenAPI customisation in one place: the shared error component, the errors each operation can answer,
and the HTTP headers (validators, caching, rate limits) every operation carries."""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from apps.core.api.errors import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, ErrorLocation


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted path of the offending field or parameter; null for the whole request."
    )
    # Named "in" in JSON, as in OpenAPI's parameter objects; "in" is a Python keyword.
    location = serializers.ChoiceField(
        choices=ErrorLocation.choices,
        allow_null=True,
        help_text="Where the field was sent; null when it is neither a parameter nor a body field.",
    )
    code = serializers.CharField(help_text="Machine-readable reason, e.g. required, invalid_choice, not_found.")
    message = serializers.CharField(help_text="Human-readable reason.")

    class Meta:
        ref_name = "FieldError"

    def get_fields(self):
        fields = super().get_fields()
        fields["in"] = fields.pop("location")
        return {name: fields[name] for name in ("field", "in", "code", "message")}


class ErrorSerializer(serializers.Serializer):
    """An RFC 9457 problem document (application/problem+json)."""

    type = serializers.CharField(
        help_text=f"URI naming the kind of problem: {PROBLEM_TYPE_PREFIX}<code>, e.g. {PROBLEM_TYPE_PREFIX}invalid."
    )
    title = serializers.CharField(help_text="Short summary of the kind of problem: the status code's reason phrase.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="Human-readable explanation of this occurrence.")
    instance = serializers.CharField(allow_null=True, help_text="The request that failed: its path and query string.")
    code = serializers.CharField(help_text="Machine-readable error code, e.g. invalid, not_found, permission_denied.")
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
READ_ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=["200"],
    required=True,
    description="Validator of this representation; send it back in If-None-Match to get 304 while it is unchanged.",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional. The ETag of the copy you hold; when it is still current the answer is 304 without a body.",
)
CACHE_CONTROL = OpenApiParameter(
    "Cache-Control",
    str,
    OpenApiParameter.HEADER,
    response=["200", "304"],
    required=True,
    description=f"public, max-age={settings.API_CACHE_MAX_AGE} for anonymous requests (the seconds are the "
    "server's API_CACHE_MAX_AGE); private, no-cache for authenticated ones, whose answers hold what only "
    "curators see.",
)
LOCATION = OpenApiParameter(
    "Location",
    str,
    OpenApiParameter.HEADER,
    response=["201"],
    required=True,
    description="URL of the created resource.",
)
RATE_LIMIT_POLICY = OpenApiParameter(
    "RateLimit-Policy",
    str,
    OpenApiParameter.HEADER,
    response=True,
    required=False,
    description='The client\'s quota, e.g. "anon";q=120;w=60: 120 requests in any 60 seconds '
    "(IETF RateLimit header fields).",
)
RATE_LIMIT = OpenApiParameter(
    "RateLimit",
    str,
    OpenApiParameter.HEADER,
    response=True,
    required=False,
    description='What is left of the quota, e.g. "anon";r=117;t=42: 117 requests left, one more '
    "available in 42 seconds.",
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


class ClaimsAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), RETRY_AFTER]
        if self.view.throttle_classes:
            parameters += [RATE_LIMIT_POLICY, RATE_LIMIT]
        if self._conditional():
            if self.method in ("PUT", "PATCH", "DELETE"):
                parameters.append(IF_MATCH)
            if self.method != "DELETE":
                parameters.append(ETAG)
        elif self._validated():
            parameters.append(READ_ETAG)
        if self._validated():
            parameters.append(IF_NONE_MATCH)
        if self._http_cached():
            parameters.append(CACHE_CONTROL)
        if self.method == "POST" and getattr(self.view, "conditional_writes", False):
            parameters.append(LOCATION)
        return parameters

    def _http_cached(self) -> bool:
        """Reads of the API (not the probes) carry validators and caching headers (apps.core.middleware)."""
        return self.method == "GET" and self.path.startswith("/api/")

    def _validated(self) -> bool:
        """Cached reads with a validator: every one but streamed files, whose body is never held whole."""
        return self._http_cached() and not getattr(self.view, "streamed", False)

    def get_auth(self):
        auths = super().get_auth()
        anonymous = any(getattr(permission, "anonymous_reads", False) for permission in self.view.get_permissions())
        if anonymous and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # credentials are optional: anonymous clients read published data
        return auths

    def _conditional(self) -> bool:
        """Detail operations and creates of views with ETags and If-Match (apps.core.api.viewsets)."""
        return getattr(self.view, "conditional_writes", False) and (self._is_detail() or self.method == "POST")

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if isinstance(field, serializers.URLField) and schema.get("format") == "uri" and _may_be_blank(field):
            # An unknown URL is stored and served as "", which format: uri would reject.
            del schema["format"]
            schema["description"] = " ".join(filter(None, [schema.get("description"), "A URL, or empty when unknown."]))

    def get_request_serializer(self):
        if getattr(self.view, "write_serializer_class", None) is not None and self.method in ("POST", "PUT", "PATCH"):
            return self.view.write_serializer_class_for(self.method)()
        return super().get_request_serializer()

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        method = self.method.upper()
        extra = {
            "400": _error("Invalid input: a parameter or field is malformed or breaks a rule."),
            **(
                {"304": OpenApiResponse(description="Not modified: the copy named in If-None-Match is current.")}
                if self._validated()
                else {}
            ),
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
        for code, response in responses.items():
            content = response.get("content", {})
            if int(code) >= 400 and "application/json" in content:
                content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return responses

    def _is_detail(self) -> bool:
        detail = getattr(self.view, "detail", None)  # set on viewsets' views
        return detail if detail is not None else "{" in self.path


def require_response_fields(result, generator, request, public):
    """Mark every field of a response component required: serializers send each one (null when empty).

    drf-spectacular marks fields that are optional on input (``required=False``) optional
    in the response too, and generated clients then make every reader test for absence.
    Request components (``…Request``, split by COMPONENT_SPLIT_REQUEST) keep their own rules.
    """
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if not name.endswith("Request") and "properties" in component:
            component["required"] = list(component["properties"])
    return result
