"""One error shape for every 4xx and 5xx answer of the API: an RFC 9457 problem document.

    Content-Type: application/problem+json

    {"type": "tag:claims-api,2026:problem:invalid", "title": "Bad Request", "status": 400,
     "detail": "Invalid input.", "instance": "/api/v1/claims/?kind=nope", "code": "invalid",
     "errors": [{"field": "kind", "in": "query", "code": "invalid_choice", "message": "…"}]}

``type`` names the kind of problem (``code`` is its last segment, kept for
clients that switch on it); ``instance`` is the request that failed. ``errors``
lists field-level problems: ``field`` is a dotted path (or null for the request
as a whole) and ``in`` says where it was sent, ``query`` (a query-string
parameter) or ``body`` (a field of the JSON body), or null when neither applies.
It is empty when the error concerns no field.
"""

import logging
import math
from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, InterfaceError, OperationalError, models
from django.db.models import ProtectedError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Tag URIs (RFC 4151) name problem types without promising a page at that address.
PROBLEM_TYPE_PREFIX = "tag:claims-api,2026:problem:"
# Paths whose every error is a problem document, whatever their successful answers are (Swagger UI's page).
JSON_PREFIXES = ("/api/", "/healthz", "/readyz")


def answers_json(path: str) -> bool:
    return path.startswith(JSON_PREFIXES)


class ErrorLocation(models.TextChoices):
    """Where a field error's ``field`` was sent (``in`` in the error list)."""

    QUERY = "query", "a query-string parameter"
    BODY = "body", "a field of the JSON body"


class QueryParameterError(exceptions.ValidationError):
    """A malformed or unknown query-string parameter (a filter, the ordering, the cursor, the page size)."""


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The resource has changed since you read it: If-Match does not match its current ETag. "
        "GET it again, reapply your change and retry."
    )
    default_code = "precondition_failed"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "The database is unavailable; try again shortly."
    default_code = "service_unavailable"
    # Seconds a client should wait before retrying (sent as Retry-After).
    wait = 5


def field_error(*, field: str | None, where: str | None, code: str, message: str) -> dict:
    """One entry of ``errors``; ``where`` is ``query``, ``body`` or None."""
    return {"field": field, "in": where, "code": code, "message": message}


def _flatten(detail, where: str, path: str | None = None) -> list[dict]:
    if isinstance(detail, dict):
        items = []
        for key, value in detail.items():
            field = None if key in ("non_field_errors", "__all__") else key
            items.extend(_flatten(value, where, f"{path}.{field}" if path and field else (field or path)))
        return items
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [
                field_error(field=path, where=where, code=getattr(item, "code", "invalid"), message=str(item))
                for item in detail
            ]
        items = []
        for index, value in enumerate(detail):
            items.extend(_flatten(value, where, f"{path}.{index}" if path else str(index)))
        return items
    return [field_error(field=path, where=where, code=getattr(detail, "code", "invalid"), message=str(detail))]


def error_body(
    *, status_code: int, code: str, detail: str, instance: str | None, errors: list[dict] | None = None
) -> dict:
    """The problem document; ``instance`` is the failing request's path and query string."""
    return {
        "type": PROBLEM_TYPE_PREFIX + code,
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
        "instance": instance,
        "code": code,
        "errors": errors or [],
    }


def error_response(
    request, *, status_code: int, code: str, detail: str, errors: list[dict] | None = None, headers: dict | None = None
) -> JsonResponse:
    """The error shape outside DRF views: middleware, Django's error handlers, health checks."""
    body = error_body(
        status_code=status_code, code=code, detail=detail, instance=request.get_full_path(), errors=errors
    )
    return JsonResponse(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` means the database cannot be reached (or the connection broke), not a bad query."""
    return isinstance(exc, (OperationalError, InterfaceError))


def _as_api_exception(exc):
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, ProtectedError):
        names = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return Conflict(f"It is still referenced by {', '.join(names)}; remove or reassign those first.")
    if database_unavailable(exc):
        logger.warning("Database unavailable: %s", exc)
        return ServiceUnavailable()
    return exc


def exception_handler(exc, context):
    exc = _as_api_exception(exc)
    view, method = context.get("view"), context["request"].method
    if isinstance(exc, exceptions.APIException) and view is not None and method not in view.allowed_methods:
        # The method is the mistake, whoever sends it: a 405, not the 401 or 404 of the permission checks,
        # which DRF runs before it looks for the method's handler.
        exc = exceptions.MethodNotAllowed(method)
    if not isinstance(exc, exceptions.APIException):
        if isinstance(exc, DatabaseError):
            logger.exception("Database error")
        return None

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        # Never "0": a client told to retry at once would just be refused again.
        headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))

    instance = context["request"].get_full_path()
    if isinstance(exc, exceptions.ValidationError):
        # Filters, the ordering and the pagination raise QueryParameterError; every other validation is of the body.
        where = ErrorLocation.QUERY if isinstance(exc, QueryParameterError) else ErrorLocation.BODY
        errors = _flatten(exc.detail, where.value)
        body = error_body(
            status_code=exc.status_code, code="invalid", detail="Invalid input.", instance=instance, errors=errors
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else exc.default_code
        body = error_body(status_code=exc.status_code, code=code, detail=str(detail), instance=instance)

    set_rollback()
    request = context["request"]
    renderer = getattr(request, "accepted_renderer", None)
    if not answers_json(request.path):
        # A page of the reading room renders the same body as HTML.
        return Response(body, status=exc.status_code, headers=headers)
    if getattr(renderer, "media_type", "application/json") != "application/json":
        # Swagger UI and Redoc render HTML, the schema YAML: their errors are problem documents all the same.
        return JsonResponse(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return Response(body, status=exc.status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
