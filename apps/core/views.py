"""Django-level error pages: JSON in the API's error shape under /api/, Django's defaults elsewhere."""

from django.http import JsonResponse
from django.views import defaults

from apps.core.api.errors import error_body


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        body = error_body(status_code=404, code="not_found", detail=f"No API endpoint at {request.path}.")
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith("/api/"):
        body = error_body(status_code=500, code="server_error", detail="An unexpected error occurred.")
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
