"""Keyset (cursor) pagination: page 1,000 costs what page 1 costs.

The cursor is an opaque token holding the ordering values of the last row
served; the next page continues strictly after it. Nulls sort last in either
direction, matching ``StrictOrderingFilter``.
"""

import base64
import binascii
import datetime
from collections import OrderedDict

import orjson
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.api.ordering import StrictOrderingFilter, order_expressions


def _beyond(field: str, descending: bool, value, forward: bool, nullable: bool) -> Q:
    """Rows whose ``field`` lies strictly past ``value`` (before it, going backwards); nulls sort last."""
    if forward:
        if value is None:
            return Q(pk__in=[])
        past = Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
        return past | Q(**{f"{field}__isnull": True}) if nullable else past
    if value is None:
        return Q(**{f"{field}__isnull": False})
    return Q(**{f"{field}__{'gt' if descending else 'lt'}": value})


def _nullable(model, path: str) -> bool:
    """Whether ``path`` (possibly across relations) can be null, including a missing one-to-one row."""
    if path == "pk":
        return False
    *hops, last = path.split("__")
    for hop in hops:
        field = model._meta.get_field(hop)
        if field.null or field.one_to_one and field.auto_created:
            return True
        model = field.related_model
    return model._meta.get_field(last).null


def _after(model, terms: list[str], values: list, forward: bool) -> Q:
    """Rows strictly after the row with ``values`` in the order ``terms`` (before it, going backwards)."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for term, value in zip(terms, values):
        field = term.lstrip("-")
        nullable = _nullable(model, field)
        condition |= equal_so_far & _beyond(field, term.startswith("-"), value, forward, nullable)
        equal_so_far &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
    return condition


class KeysetPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    count_query_param = "count"

    def _page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not raw.isdigit() or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError({self.page_size_query_param: [f"Must be a whole number from 1 to {self.max_page_size}."]})
        return int(raw)

    def _decode(self, token: str) -> tuple[bool, list]:
        try:
            payload = orjson.loads(base64.urlsafe_b64decode(token.encode("ascii") + b"=="))
            forward, values = payload["f"], payload["v"]
            if not isinstance(forward, bool) or not isinstance(values, list):
                raise ValueError
        except (ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor; use the next/previous links as given."]})
        return forward, values

    def _encode(self, forward: bool, values: list) -> str:
        raw = orjson.dumps({"f": forward, "v": values})
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    @staticmethod
    def _value(row, path):
        value = row
        for hop in path.split("__"):
            value = value.get(hop) if isinstance(value, dict) else getattr(value, hop, None)
            if value is None:
                return None
        return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.terms = StrictOrderingFilter().get_ordering(request, queryset, view)
        size = self._page_size(request)
        token = request.query_params.get(self.cursor_query_param)
        forward, values = self._decode(token) if token else (True, None)
        if values is not None and len(values) != len(self.terms):
            raise ValidationError({self.cursor_query_param: ["This cursor belongs to another ordering."]})

        self.count = queryset.order_by().count() if request.query_params.get(self.count_query_param) == "true" else None
        if values is not None:
            queryset = queryset.filter(_after(queryset.model, self.terms, values, forward))
        if forward:
            queryset = queryset.order_by(*order_expressions(self.terms))
        else:
            reverse = [t[1:] if t.startswith("-") else f"-{t}" for t in self.terms]
            queryset = queryset.order_by(*order_expressions(reverse, nulls_first=True))
        rows = list(queryset[: size + 1])
        more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
        self.has_next = more if forward else token is not None
        self.has_previous = (token is not None) if forward else more
        self.first, self.last = (rows[0], rows[-1]) if rows else (None, None)
        return rows

    def _link(self, row, forward: bool):
        url = self.request.build_absolute_uri()
        values = [self._value(row, term.lstrip("-")) for term in self.terms]
        return replace_query_param(url, self.cursor_query_param, self._encode(forward, values))

    def get_next_link(self):
        if not self.has_next or self.last is None:
            return None
        return self._link(self.last, True)

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if self.first is None:
            return remove_query_param(self.request.build_absolute_uri(), self.cursor_query_param)
        return self._link(self.first, False)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [("count", self.count), ("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {
                    "type": "integer",
                    "nullable": True,
                    "description": "Total number of matching rows; only computed when the request has count=true.",
                },
                "next": {"type": "string", "format": "uri", "nullable": True},
                "previous": {"type": "string", "format": "uri", "nullable": True},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.cursor_query_param, "in": "query", "required": False,
             "description": "Opaque cursor from a previous page's next or previous link.", "schema": {"type": "string"}},
            {"name": self.page_size_query_param, "in": "query", "required": False,
             "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
             "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size}},
            {"name": self.count_query_param, "in": "query", "required": False,
             "description": "Set to true to include the total count (costs one extra query).",
             "schema": {"type": "boolean"}},
        ]
