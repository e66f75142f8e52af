from django.db.models import F
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    """``ordering`` that rejects unknown fields and always ends on ``id`` so keyset pages are total.

    Views declare ``ordering_fields`` (what users may sort by) and ``ordering``
    (the default). Nulls sort last in either direction.
    """

    def get_ordering(self, request, queryset, view) -> list[str]:
        raw = request.query_params.get(self.ordering_param)
        if raw:
            terms = [term.strip() for term in raw.split(",") if term.strip()]
            allowed = set(getattr(view, "ordering_fields", ()) or ())
            unknown = [term for term in terms if term.lstrip("-") not in allowed]
            if unknown or not terms:
                raise ValidationError(
                    {self.ordering_param: [f"Unknown ordering {', '.join(unknown) or raw!r}; use one of: {', '.join(sorted(allowed))} (prefix - for descending)."]}
                )
        else:
            terms = list(getattr(view, "ordering", None) or ["id"])
        if terms[-1].lstrip("-") != "id":
            terms.append("-id" if terms[-1].startswith("-") else "id")
        return terms

    def filter_queryset(self, request, queryset, view):
        return queryset.order_by(*order_expressions(self.get_ordering(request, queryset, view)))


def order_expressions(terms: list[str], *, nulls_first: bool = False):
    """``-field``/``field`` terms as expressions that put nulls last (first, for a reversed walk)."""
    nulls = {"nulls_first": True} if nulls_first else {"nulls_last": True}
    return [F(t[1:]).desc(**nulls) if t.startswith("-") else F(t).asc(**nulls) for t in terms]
