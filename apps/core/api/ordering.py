from django.db.models import F
from rest_framework.filters import OrderingFilter

from apps.core.api.errors import QueryParameterError


def _fields(view) -> dict[str, str]:
    """Public ordering names → model paths; views may give a list (same names) or a mapping."""
    declared = getattr(view, "ordering_fields", None) or ["id"]
    return dict(declared) if isinstance(declared, dict) else {name: name for name in declared}


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` that rejects unknown fields and always ends on ``id`` so keyset pages are total.

    Views declare ``ordering_fields`` (public names, optionally mapped to model
    paths) and ``ordering`` (the default, in public names). Nulls sort last in
    either direction. Returns model paths.
    """

    def get_ordering(self, request, queryset, view) -> list[str]:
        fields = _fields(view)
        # Comma-separated, repeated (as generated clients send a list), or both.
        given = request.query_params.getlist(self.ordering_param)
        raw = ",".join(given) if given else None
        if raw is not None:
            terms = [term.strip() for term in raw.split(",") if term.strip()]
            unknown = [term for term in terms if term.lstrip("-") not in fields]
            if unknown or not terms:
                raise QueryParameterError(
                    {
                        self.ordering_param: [
                            f"Unknown ordering {', '.join(unknown) or repr(raw)}; use one of: "
                            f"{', '.join(sorted(fields))} (prefix - for descending, comma-separated)."
                        ]
                    }
                )
        else:
            terms = list(getattr(view, "ordering", None) or ["id"])
        paths = [("-" if t.startswith("-") else "") + fields.get(t.lstrip("-"), t.lstrip("-")) for t in terms]
        if paths[-1].lstrip("-") not in ("id", "pk"):
            paths.append("-pk" if paths[-1].startswith("-") else "pk")
        return paths

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*order_expressions(self.get_ordering(request, queryset, view)))

    def get_schema_operation_parameters(self, view):
        names = sorted(_fields(view))
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": f"Sort by {', '.join(names)}; prefix - for descending. Several terms: "
                "comma-separated or repeated, the first one deciding first. Ties are broken by the primary key.",
                "schema": {
                    "type": "array",
                    "items": {"type": "string", "enum": [f"{sign}{name}" for name in names for sign in ("", "-")]},
                },
                "style": "form",
                "explode": True,
            }
        ]


# Never null, so ordered without a nulls clause: "id DESC" is what the indexes hold, and
# "id DESC NULLS LAST" would cost every newest-first walk an extra sort step.
_PRIMARY_KEYS = {"pk", "id", "keyset_pk"}


def order_expressions(paths: list[str], *, nulls_first: bool = False):
    """``-path``/``path`` terms as expressions that put nulls last (first, for a reversed walk)."""
    nulls = {"nulls_first": True} if nulls_first else {"nulls_last": True}
    expressions = []
    for path in paths:
        field = path.removeprefix("-")
        options = {} if field in _PRIMARY_KEYS else nulls
        expressions.append(F(field).desc(**options) if path.startswith("-") else F(field).asc(**options))
    return expressions
