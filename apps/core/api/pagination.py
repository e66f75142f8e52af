"""Keyset (cursor) pagination: page 1,000 costs what page 1 costs.

The cursor is an opaque token holding the ordering values of the last row
served; the next page continues strictly after it. Nulls sort last in either
direction, matching ``StrictOrderingFilter``. Cursors are signed with the
secret key and name their ordering, so the values that reach the query are
always ones the server produced for that ordering: a forged or edited cursor is
a 400, never a malformed query.

A filter may join a denormalised copy of the ordering columns whose index serves
its rows in order, and annotate them as ``keyset_<field>`` (``keyset_pk`` for the
primary key): pages are then ordered and continued on the copy.
"""

import base64
import binascii
import datetime
from collections import OrderedDict
from collections.abc import Sequence

import orjson
from django.core import signing
from django.db.models import F, Field, Func, Q, Value
from django.db.models.lookups import GreaterThan, LessThan
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from apps.core.api.errors import QueryParameterError
from apps.core.api.ordering import StrictOrderingFilter, order_expressions
from apps.core.api.query_parameters import whole_number_parameter


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


class _Row(Func):
    """A row constructor, ``ROW(a, b)``, for lexicographic comparisons PostgreSQL can answer from an index."""

    function = "ROW"
    output_field = Field()


def _annotated_field(queryset, path: str) -> Field | None:
    """The field of the ``keyset_`` copy (or other annotation) named ``path``, if it is one."""
    annotation = queryset.query.annotations.get(path)
    return annotation.output_field if annotation is not None else None


def _nullable(queryset, path: str) -> bool:
    """Whether ``path`` (possibly across relations) can be null, including a missing one-to-one row."""
    if path == "pk":
        return False
    if (copy := _annotated_field(queryset, path)) is not None:
        return copy.null
    model = queryset.model
    *hops, last = path.split("__")
    for hop in hops:
        field = model._meta.get_field(hop)
        if field.null or field.one_to_one and field.auto_created:
            return True
        model = field.related_model
    return model._meta.get_field(last).null


def _after(queryset, terms: list[str], values: list, forward: bool) -> Q:
    """Rows strictly after the row with ``values`` in the order ``terms`` (before it, going backwards)."""
    condition = Q(pk__in=[])
    equal_so_far = Q()
    for term, value in zip(terms, values, strict=True):
        field = term.lstrip("-")
        nullable = _nullable(queryset, field)
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
        return whole_number_parameter(
            request, self.page_size_query_param, default=self.page_size, low=1, high=self.max_page_size
        )

    def _wants_count(self, request) -> bool:
        raw = request.query_params.get(self.count_query_param)
        if raw not in (None, "true", "false"):
            raise QueryParameterError({self.count_query_param: ["Must be true or false."]})
        return raw == "true"

    _signer = signing.Signer(salt="apps.core.api.pagination.cursor", algorithm="sha256")

    def _decode(self, token: str) -> tuple[bool, list]:
        try:
            encoded = self._signer.unsign(token)
            payload = orjson.loads(base64.urlsafe_b64decode(encoded.encode("ascii") + b"=="))
            forward, values, ordering = payload["f"], payload["v"], payload["o"]
            if not isinstance(forward, bool) or not isinstance(values, list):
                raise ValueError
        except (signing.BadSignature, ValueError, KeyError, TypeError, binascii.Error, UnicodeEncodeError):
            raise QueryParameterError(
                {self.cursor_query_param: ["Invalid cursor; use the next/previous links as given."]}
            ) from None
        if ordering != self.terms:
            raise QueryParameterError({self.cursor_query_param: ["This cursor belongs to another ordering."]})
        return forward, values

    def _encode(self, forward: bool, values: list) -> str:
        raw = orjson.dumps({"f": forward, "v": values, "o": self.terms})
        return self._signer.sign(base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii"))

    def _project(self, queryset, columns):
        if columns is None:
            return queryset
        return queryset.values(*dict.fromkeys(["pk", *(term.lstrip("-") for term in self.terms), *columns]))

    @staticmethod
    def _keyset_terms(queryset, terms: list[str]) -> list[str]:
        """The ordering terms, each on its ``keyset_`` copy where the queryset carries one."""
        copies = queryset.query.annotations
        keyed = []
        for term in terms:
            sign, field = ("-", term[1:]) if term.startswith("-") else ("", term)
            copy = "keyset_pk" if field in ("pk", "id") else f"keyset_{field}"
            keyed.append(sign + (copy if copy in copies else field))
        return keyed

    def _pair_ordering(self) -> bool:
        """Whether the ordering is one local field then the primary key, in the same direction."""
        if len(self.terms) != 2:
            return False
        first, second = self.terms
        return (
            second.lstrip("-") in ("pk", "keyset_pk")
            and first.startswith("-") == second.startswith("-")
            and "__" not in first
            and first.lstrip("-") != "pk"
        )

    def _rows_after_pair(self, queryset, values: list, limit: int, columns) -> list:
        """The next rows after (value, pk) as one index range scan: ``(field, pk) < (value, pk)``.

        Written as a row comparison rather than OR-ed conditions so PostgreSQL starts the
        scan at the cursor: page 50 costs what page 1 costs. Rows whose field is null sort
        last and are fetched separately once the others run out.
        """
        field, descending = self.terms[0].lstrip("-"), self.terms[0].startswith("-")
        pk = self.terms[1].lstrip("-")
        value, last_pk = values
        model_field = _annotated_field(queryset, field) or queryset.model._meta.get_field(field)
        ordered = queryset.order_by(*order_expressions(self.terms))
        pk_beyond = {f"{pk}__{'lt' if descending else 'gt'}": last_pk}
        if value is None:
            return list(self._project(ordered.filter(**{f"{field}__isnull": True}, **pk_beyond), columns)[:limit])
        beyond = LessThan if descending else GreaterThan
        cursor_row = _Row(Value(model_field.to_python(value), output_field=model_field), Value(last_pk))
        rows = list(self._project(ordered.filter(beyond(_Row(F(field), F(pk)), cursor_row)), columns)[:limit])
        if len(rows) < limit and model_field.null:
            nulls = ordered.filter(**{f"{field}__isnull": True})
            rows += list(self._project(nulls, columns)[: limit - len(rows)])
        return rows

    @staticmethod
    def _value(row, path):
        if isinstance(row, dict):
            value = row.get(path)
            return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value
        value = row
        for hop in path.split("__"):
            value = getattr(value, hop, None)
            if value is None:
                return None
        return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value

    def paginate_queryset(self, queryset, request, view=None, *, columns: Sequence[str] | None = None):
        """The page's rows; with ``columns``, dicts of the primary key, the ordering values and these columns,
        for views that render rows themselves."""
        self.request = request
        self.terms = self._keyset_terms(queryset, StrictOrderingFilter().get_ordering(request, queryset, view))
        size = self._page_size(request)
        token = request.query_params.get(self.cursor_query_param)
        forward, values = self._decode(token) if token else (True, None)

        self.count = queryset.order_by().count() if self._wants_count(request) else None
        if forward and values is not None and self._pair_ordering():
            rows = self._rows_after_pair(queryset, values, size + 1, columns)
        else:
            if values is not None:
                queryset = queryset.filter(_after(queryset, self.terms, values, forward))
            if forward:
                queryset = queryset.order_by(*order_expressions(self.terms))
            else:
                reverse = [t[1:] if t.startswith("-") else f"-{t}" for t in self.terms]
                queryset = queryset.order_by(*order_expressions(reverse, nulls_first=True))
            rows = list(self._project(queryset, columns)[: size + 1])
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
                [
                    ("count", self.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("results", data),
                ]
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
            {
                "name": self.cursor_query_param,
                "in": "query",
                "required": False,
                "description": "Opaque cursor from a previous page's next or previous link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Rows per page, 1 to {self.max_page_size} (default {self.page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
            {
                "name": self.count_query_param,
                "in": "query",
                "required": False,
                "description": "Set to true to include the total count (costs one extra query).",
                "schema": {"type": "boolean"},
            },
        ]


class SinglePage(BasePagination):
    """The list shape of every other endpoint for short, fixed vocabularies, served whole.

    A client walks ``claim-kinds`` with the code it uses for ``claims``: ``results``,
    and a ``next`` that is always null.
    """

    def get_paginated_response(self, data):
        return Response(OrderedDict([("count", len(data)), ("next", None), ("previous", None), ("results", data)]))

    def get_paginated_response_schema(self, schema):
        paged = KeysetPagination().get_paginated_response_schema(schema)
        paged["properties"]["count"] = {"type": "integer", "description": "Number of entries: all are on this page."}
        return paged

    def get_schema_operation_parameters(self, view):
        return []
