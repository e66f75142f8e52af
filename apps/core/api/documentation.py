"""Swagger UI and Redoc, served as pages of the API."""

from django.http import HttpResponse
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView


class DocumentationPageMixin:
    """OPTIONS on a documentation page says which methods it takes (DRF adds ``Allow``), with no body.

    DRF would describe the view as if it were an endpoint and hand that description to the
    page's template, which cannot render it.
    """

    def options(self, request, *args, **kwargs):
        return HttpResponse(headers={"Content-Length": "0"})


class SwaggerPage(DocumentationPageMixin, SpectacularSwaggerView):
    pass


class RedocPage(DocumentationPageMixin, SpectacularRedocView):
    # Served offline: no web fonts or logos from other hosts (see the template).
    template_name = "core/redoc.html"
