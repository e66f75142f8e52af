"""Unknown query parameters on lists are a 400 that names them, not a filter silently dropped.

A misspelt filter (``?contry=UA``) would otherwise answer every row as if it matched. The
names a list knows are read from the pieces that take them, so a new filter, ordering or
pagination parameter is known as soon as it exists: the view's FilterSet, its other filter
backends and its paginator (through the parameters they give the OpenAPI document), DRF's
``format`` override, and whatever the view reads itself (``query_parameters``).
"""

import difflib

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.settings import api_settings

from apps.core.api.errors import QueryParameterError

UNKNOWN_PARAMETER = "unknown_parameter"


def known_query_parameters(view) -> set[str]:
    """Every query parameter a list view takes."""
    names = set(getattr(view, "query_parameters", ()))
    if api_settings.URL_FORMAT_OVERRIDE:
        names.add(api_settings.URL_FORMAT_OVERRIDE)
    for backend_class in getattr(view, "filter_backends", ()):
        backend = backend_class()
        if isinstance(backend, DjangoFilterBackend):
            filterset_class = getattr(view, "filterset_class", None)
            names.update(filterset_class.base_filters if filterset_class else ())
        else:
            names.update(parameter["name"] for parameter in backend.get_schema_operation_parameters(view))
    pagination_class = getattr(view, "pagination_class", None)
    if pagination_class is not None:
        names.update(parameter["name"] for parameter in pagination_class().get_schema_operation_parameters(view))
    return names


def unknown_parameter_message(name: str, known: set[str]) -> str:
    suggestion = difflib.get_close_matches(name.lower(), sorted(known), n=1)
    if suggestion:
        return f"Unknown query parameter `{name}`; did you mean `{suggestion[0]}`?"
    if not known:
        return f"Unknown query parameter `{name}`; this list takes none."
    return f"Unknown query parameter `{name}`; this list takes {', '.join(f'`{k}`' for k in sorted(known))}."


def reject_unknown_query_parameters(request, known: set[str]) -> None:
    unknown = [name for name in request.query_params if name not in known]
    if unknown:
        raise QueryParameterError(
            {name: [unknown_parameter_message(name, known)] for name in unknown}, code=UNKNOWN_PARAMETER
        )


class KnownQueryParametersMixin:
    """For views: a read of a list (or of an export of one) with a parameter the list does not take is a 400."""

    # Query parameters the view reads itself, beside its filters, ordering and pagination.
    query_parameters: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and self.reads_list():
            reject_unknown_query_parameters(request, known_query_parameters(self))

    def reads_list(self) -> bool:
        # A router, or as_view(detail=False), marks a viewset's list and collection-wide routes.
        return getattr(self, "detail", None) is False


def whole_number_parameter(request, name: str, *, default: int, low: int, high: int) -> int:
    """A query parameter that is a whole number from ``low`` to ``high`` (``default`` when absent); a 400
    naming it otherwise."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    # isdigit() alone accepts "²" and other digits int() refuses.
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise QueryParameterError({name: [f"Must be a whole number from {low} to {high}."]})
    return int(raw)
