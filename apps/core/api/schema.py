"""OpenAPI customisation in one place: the shared error component, the errors each operation can answer,
and the HTTP headers (validators, caching, rate limits) every operation carries."""

from django.conf import settings
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from apps.core.api.errors import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_PREFIX, ErrorLocation
from apps.core.api.query_parameters import KnownQueryParametersMixin


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
LAST_MODIFIED = OpenApiParameter(
    "Last-Modified",
    str,
    OpenApiParameter.HEADER,
    response=["200"],
    required=False,
    description="When what this answer shows last changed, as an HTTP date (whole seconds). Left out during the "
    "second of a change, since a date cannot tell it from a later change in the same second.",
)
IF_MODIFIED_SINCE = OpenApiParameter(
    "If-Modified-Since",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Optional. The Last-Modified of the copy you hold; the answer is 304 while nothing changed since. "
    "If-None-Match, when sent too, decides instead.",
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
    description='The client\'s quota, e.g. "anon";q=120;w=60: 120 requests in each window of 60 seconds '
    "(IETF RateLimit header fields).",
)
RATE_LIMIT = OpenApiParameter(
    "RateLimit",
    str,
    OpenApiParameter.HEADER,
    response=True,
    required=False,
    description='What is left of the quota, e.g. "anon";r=117;t=42: 117 requests left in this window, '
    "which ends (and the quota is whole again) in 42 seconds.",
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


class TokenScheme(OpenApiAuthenticationExtension):
    """API tokens (django-rest-knox) under the security scheme's established name, `Authorization: Token …`."""

    target_class = "apps.accounts.authentication.TokenAuthentication"
    name = "tokenAuth"
    priority = 1  # over drf-spectacular's own knox extension, which names it knoxApiToken

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")


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
        """Detail operations and creates of views with ETags and If-Match (apps.core.api.viewsets), not their
        extra actions (such as a claim's history)."""
        extra_actions = {action.__name__ for action in getattr(self.view, "get_extra_actions", list)()}
        return (
            getattr(self.view, "conditional_writes", False)
            and getattr(self.view, "action", None) not in extra_actions
            and (self._is_detail() or self.method == "POST")
        )

    def get_request_serializer(self):
        if getattr(self.view, "write_serializer_class", None) is not None and self.method in ("POST", "PUT", "PATCH"):
            return self.view.write_serializer_class_for(self.method)()
        return super().get_request_serializer()

    def get_operation(self, *args, **kwargs):
        """The operation, with every error it can answer added to the responses it declares itself."""
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            responses = operation.setdefault("responses", {})
            for code, description in self._errors().items():
                responses.setdefault(code, self._error_response(code, description))
            if self._validated():
                responses.setdefault(
                    "304", {"description": "Not modified: the copy named in If-None-Match is current."}
                )
            for code, response in responses.items():  # errors a view declares itself are problem documents too
                content = response.get("content", {})
                if int(code) >= 400 and "application/json" in content:
                    content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return operation

    def _error_response(self, code: str, description: str) -> dict:
        if code == "414":  # gunicorn refuses such a request before the API sees it, with a plain-text page
            return {"description": description}
        response = {}
        if code in RETRY_AFTER.response:
            response["headers"] = {"Retry-After": RETRY_AFTER_HEADER}
        error = self.resolve_serializer(ErrorSerializer, "response")
        return {**response, "content": {PROBLEM_CONTENT_TYPE: {"schema": error.ref}}, "description": description}

    def _errors(self) -> dict[str, str]:
        method = self.method.upper()
        errors = {
            "400": "Invalid input: a parameter or field is malformed or breaks a rule.",
            "414": "The request line (method, path and query string) is longer than the server accepts "
            "(4,094 bytes under gunicorn's defaults). Answered by the server itself, not in the API's error format.",
        }
        if method == "GET" and isinstance(self.view, KnownQueryParametersMixin) and self.view.reads_list():
            errors["400"] = (
                "Invalid input: a parameter is malformed or breaks a rule, or is not one this list takes "
                "(the error names it and suggests the closest known name)."
            )
        if self.view.throttle_classes:
            errors["429"] = "Too many requests; retry after the number of seconds in Retry-After."
        if getattr(self.view, "uses_database", True):
            errors["503"] = "The database is unavailable; retry after the number of seconds in Retry-After."
        # A path parameter may name nothing: an unknown id or slug, or a value its route does not take. That is
        # so of a list under another resource (a source's candidates) as much as of one resource.
        if "{" in self.path:
            errors["404"] = "No such resource."
        if self.view.authentication_classes:
            # Reads need no credentials, but credentials that fail are refused, not ignored.
            errors["401"] = (
                "The token or session sent is invalid, expired, revoked or its user deactivated, or the "
                "Authorization header uses a scheme other than Token."
            )
        if any(isinstance(permission, IsAuthenticated) for permission in self.view.get_permissions()):
            errors["401"] = "Authentication is required."
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
        detail = getattr(self.view, "detail", None)  # set on viewsets' views
        return detail if detail is not None else "{" in self.path


def require_response_fields(result, generator, request, public):
    """Mark every field of a response component required: serializers send each one (null when empty).

    drf-spectacular marks fields that are optional on input (``required=False``) optional
    in the response too, and generated clients then make every reader test for absence.
    Request components (``…Request``, split by COMPONENT_SPLIT_REQUEST) keep their own rules.
    """
    schemas = result.get("components", {}).get("schemas", {})
    for name, component in schemas.items():
        # A sparse twin (apps.core.api.sparse) holds only the fields a client chose: none is required.
        sparse_twin = name.endswith("Fields") and name.removesuffix("Fields") in schemas
        if not name.endswith("Request") and not sparse_twin and "properties" in component:
            component["required"] = list(component["properties"])
    return result
