"""Django-level error pages: JSON in the API's error shape under /api/, Django's defaults elsewhere."""

import sys

from django.http import HttpResponse
from django.views import defaults

from apps.core.api.errors import ServiceUnavailable, database_unavailable, error_response
from apps.core.middleware import answers_json


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return error_response(request, status_code=404, code="not_found", detail=f"No API endpoint at {request.path}.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django calls this while handling the exception, so it is still in sys.exc_info(): a database that
    # went away in middleware or authentication, before any DRF view could map it, is a 503 like anywhere else.
    if database_unavailable(sys.exc_info()[1]):
        headers = {"Retry-After": str(ServiceUnavailable.wait)}
        if answers_json(request.path):
            return error_response(
                request,
                status_code=503,
                code=ServiceUnavailable.default_code,
                detail=str(ServiceUnavailable.default_detail),
                headers=headers,
            )
        return HttpResponse(
            ServiceUnavailable.default_detail, status=503, content_type="text/plain; charset=utf-8", headers=headers
        )
    if answers_json(request.path):
        return error_response(request, status_code=500, code="server_error", detail="An unexpected error occurred.")
    return defaults.server_error(request)
