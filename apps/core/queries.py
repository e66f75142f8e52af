"""Query helpers shared by the apps."""

from collections.abc import Iterable

from django.db.models import Field, ForeignObject, Lookup, Q


class Any(Lookup):
    """``field__any=[…]``: ``field = ANY(%s)``, the values bound as one array.

    The same rows as ``field__in``; a page or an export chunk of hundreds of ids costs the
    client one array to bind rather than hundreds of placeholders to write, parse and bind.
    """

    lookup_name = "any"
    prepare_rhs = False  # a list, passed to psycopg as an array

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", [*lhs_params, list(self.rhs)]


# Related fields keep lookups of their own: registered there too, for foreign keys (``claim_id``).
Field.register_lookup(Any)
ForeignObject.register_lookup(Any)


def among(field: str, values: Iterable) -> Q:
    """``field`` is one of ``values``."""
    return Q(**{f"{field}__any": list(values)})
