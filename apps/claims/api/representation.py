"""A claim's JSON, as ``ClaimSerializer`` declares it, for every reader of claims.

The list, the detail, the answers to writes, the exports and the dumps all render claims
here, so the same claim is the same bytes everywhere. ``ClaimSerializer`` declares the
fields (their names, order, types and documentation: the OpenAPI schema); this module
renders them from plain rows, without model instances and DRF's field-by-field machinery,
which made a page of 100 claims cost several times its queries and an export of a million
claims a quarter of an hour. ``tests/test_api_representation.py`` holds the two to each other: for
every fixture claim, for each kind of reader and for sparse fields, what is rendered here
equals what DRF renders from the declaration.

The actors and sources a claim embeds are read once per renderer each, in one query per
model for the claims that need them; the countries' names with the claims' rows (the location) and
their country links. All are rendered as their brief serializers declare them (the
same test covers them, nested in the claims).
"""

from collections.abc import Iterable, Iterator
from functools import cached_property

from django.db import connections
from django.db.models import CharField, Func, QuerySet

from apps.actors.models import Actor
from apps.claims import exports, selectors
from apps.claims.quantities import quantity_given
from apps.claims.validation import QUANTITY_PARTS
from apps.core.api.urls import UrlPattern
from apps.core.queries import among
from apps.countries.models import Country
from apps.sources.models import LABEL_PARTS, Source, source_label

# The claim columns each field is made of; the anchor, countries and relations come from their own tables,
# so a page's query reads the claims' own columns only (a join there made PostgreSQL join every match of
# a search before sorting them), and the location's name (a join to the 249 rows of the country table).
FIELD_COLUMNS = {
    "source": ("source_id",),
    "subject": ("subject_id",),
    "object": ("object_id",),
    "claimant": ("claimant_id",),
    "location": ("location_id", "location__name"),
    "countries": (),
    "quantity": tuple(QUANTITY_PARTS.values()),
    "anchor": (),
    "relations": (),
    "url": (),
    "created_at": ("created_at_text",),
    "updated_at": ("updated_at_text",),
}


class UtcTimestampText(Func):
    """A timestamp as DRF's DATETIME_FORMAT writes it (settings: %Y-%m-%dT%H:%M:%S.%fZ, in UTC), written by
    PostgreSQL: loading two time zone-aware timestamps a claim and formatting them again took a tenth of
    an export's time."""

    template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""
    output_field = CharField()


# The columns of FIELD_COLUMNS that are expressions, annotated on the claims read (``ClaimRenderer.rows_of``).
FORMATTED_COLUMNS = {
    "created_at_text": UtcTimestampText("created_at"),
    "updated_at_text": UtcTimestampText("updated_at"),
}


def columns_for(fields) -> list[str]:
    """The claim columns that ``fields`` (field names) are rendered from."""
    columns = {"id": None}  # ordered, without repeats
    for name in fields:
        columns.update(dict.fromkeys(FIELD_COLUMNS.get(name, (name,))))
    return list(columns)


# The columns each embedded model's brief is made from (its text, for a source, is not read).
BRIEF_COLUMNS = {
    Actor: ("id", "slug", "name", "kind"),
    Source: ("id", "slug", *LABEL_PARTS),
}
# The fields that embed a brief of another model.
EMBEDDED = ((Source, "source"), (Actor, "subject"), (Actor, "object"), (Actor, "claimant"))


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def _float(value) -> float | None:
    return float(value) if value is not None else None


class ClaimRenderer:
    """Renders the claims a user may see, with all of ``ClaimSerializer``'s fields or only ``fields``.

    One renderer serves one request: it keeps the briefs of the actors, sources and countries it has
    rendered, so a long export renders each of them once.
    """

    def __init__(self, *, request, user, fields: frozenset[str] | None = None, sees_drafts: bool = False):
        self.request = request
        self.user = user
        self.fields = fields
        self.sees_drafts = sees_drafts
        self._briefs: dict[type, dict] = {Actor: {}, Country: {}, Source: {}}
        self._brief_of = {Actor: self._actor_brief, Source: self._source_brief}
        # In ClaimSerializer.Meta.fields' order; the test compares both, order included.
        every_field = {
            "id": lambda row: row["id"],
            "url": lambda row: self._claim_url(row["id"]),
            "key": lambda row: row["key"],
            "kind": lambda row: row["kind"],
            "status": lambda row: row["status"],
            "stance": lambda row: row["stance"],
            "summary": lambda row: row["summary"],
            "source": lambda row: self._brief(Source, row["source_id"]),
            "subject": lambda row: self._brief(Actor, row["subject_id"]),
            "object": lambda row: self._brief(Actor, row["object_id"]),
            "claimant": lambda row: self._brief(Actor, row["claimant_id"]),
            "location": lambda row: self._country(row["location_id"], row["location__name"]),
            "countries": lambda row: [self._country(code, name) for code, name in row["countries"]],
            "quantity": self._quantity,
            "trend": lambda row: row["trend"] or None,
            "valid_from": lambda row: _date(row["valid_from"]),
            "valid_from_precision": lambda row: row["valid_from_precision"] or None,
            "valid_to": lambda row: _date(row["valid_to"]),
            "valid_to_precision": lambda row: row["valid_to_precision"] or None,
            "reported_on": lambda row: _date(row["reported_on"]),
            "anchor": lambda row: row["anchor"],
            "relations": lambda row: [self._relation(relation) for relation in row["relations"]],
            "review_status": lambda row: row["review_status"],
            "confidence": lambda row: row["confidence"],
            "notes": lambda row: row["notes"] if sees_drafts else None,
            "created_at": lambda row: row["created_at_text"],
            "updated_at": lambda row: row["updated_at_text"],
        }
        self._fields = [(name, render) for name, render in every_field.items() if self.wants(name)]
        # The claim columns a row must hold for render_rows.
        self.columns = columns_for(name for name, _ in self._fields)

    @classmethod
    def for_serializer_context(cls, context: dict) -> "ClaimRenderer":
        request = context.get("request")
        return cls(
            request=request,
            user=getattr(request, "user", None),
            fields=context.get("fields"),
            sees_drafts=bool(context.get("sees_drafts")),
        )

    # Each route is reversed once, when the first URL of it is rendered (a page of five fields may need none).

    @cached_property
    def _claim_url(self) -> UrlPattern:
        return UrlPattern("api:claim-detail", "pk", self.request)

    @cached_property
    def _actor_url(self) -> UrlPattern:
        return UrlPattern("api:actor-detail", "slug", self.request)

    @cached_property
    def _country_url(self) -> UrlPattern:
        return UrlPattern("api:country-detail", "code", self.request, sample="ZZ")

    @cached_property
    def _source_url(self) -> UrlPattern:
        return UrlPattern("api:source-detail", "slug", self.request)

    def wants(self, name: str) -> bool:
        return self.fields is None or name in self.fields

    def render(self, ids: list[int]) -> list[dict]:
        """The claims with these ids, in this order; ids the user may not see are left out."""
        if not ids:
            return []
        rows = {row["id"]: row for row in self.rows_of(selectors.claims_among(self.user, ids))}
        return self.render_rows([rows[claim_id] for claim_id in ids if claim_id in rows])

    def render_chunks(self, claims: QuerySet) -> Iterator[list[dict]]:
        """The claims of ``claims`` (filtered, ordered, what the user may see), rendered a chunk at a time
        (``exports.in_chunks``), read through one server-side cursor, so memory stays flat."""
        if connections[claims.db].settings_dict.get("DISABLE_SERVER_SIDE_CURSORS"):
            # Behind a transaction pooler a cursor hands over every row at once: hold only the ids (8 bytes
            # a claim in the database's answer), and read the rows a chunk at a time.
            for ids in exports.in_chunks(list(claims.values_list("pk", flat=True))):
                yield self.render(ids)
            return
        for rows in exports.in_chunks(self.rows_of(claims).iterator(chunk_size=exports.CHUNK_SIZE)):
            yield self.render_rows(rows)

    def render_loaded(self, claims: Iterable) -> list[dict]:
        """Claims already loaded as model instances, with the actors and sources of the fields rendered
        (``select_related``): rendered from their attributes, so nothing they hold is read again. For fields
        made of the claims' own attributes and briefs (not the location or the timestamps, which are read as
        columns PostgreSQL writes)."""
        unloadable = [column for column in self.columns if column in FORMATTED_COLUMNS or "__" in column]
        if unloadable:
            raise ValueError(f"Columns not held by loaded claims: {', '.join(unloadable)}; render their ids instead.")
        claims = list(claims)
        for claim in claims:
            for model, name in EMBEDDED:
                if self.wants(name):
                    self.brief_of_loaded(model, getattr(claim, name))
        return self.render_rows([{column: getattr(claim, column) for column in self.columns} for claim in claims])

    def brief_of_loaded(self, model, instance) -> dict | None:
        """The brief of an actor or source already loaded (None for None), as its brief serializer declares it."""
        if instance is None:
            return None
        known = self._briefs[model]
        if instance.pk not in known:
            known[instance.pk] = self._brief_of[model](
                {column: getattr(instance, column) for column in BRIEF_COLUMNS[model]}
            )
        return known[instance.pk]

    def country_brief(self, country: Country | None) -> dict | None:
        """A country's brief, as ``CountryBriefSerializer`` declares it (None for None)."""
        return None if country is None else self._country(country.code, country.name)

    def readable(self, claims: QuerySet) -> QuerySet:
        """``claims`` with the expressions among ``columns`` annotated, so that rows of ``columns`` can be read."""
        return claims.annotate(**{name: FORMATTED_COLUMNS[name] for name in self.columns if name in FORMATTED_COLUMNS})

    def rows_of(self, claims: QuerySet) -> QuerySet:
        """Rows of ``columns`` of ``claims``, as ``render_rows`` takes them."""
        return self.readable(claims).values(*self.columns)

    def render_rows(self, rows: list[dict]) -> list[dict]:
        """These claims, in this order, from rows of ``columns`` read by the caller from claims the user may see
        (a page query reads them with the page's keys, saving a round trip)."""
        ids = [row["id"] for row in rows]
        countries = selectors.country_links_of(ids) if self.wants("countries") else {}
        relations = selectors.relations_of(self.user, ids) if self.wants("relations") else {}
        anchors = selectors.anchors_of(ids) if self.wants("anchor") else {}
        for row in rows:
            row["countries"] = countries.get(row["id"], ())
            row["relations"] = relations.get(row["id"], ())
            row["anchor"] = anchors.get(row["id"])
        # The briefs of the actors and sources these claims show, not read before.
        for model in BRIEF_COLUMNS:
            self._load_briefs(model, self._ids_in(rows, tuple(f"{name}_id" for of, name in EMBEDDED if of is model)))
        return [{name: render(row) for name, render in self._fields} for row in rows]

    @staticmethod
    def _ids_in(rows: list[dict], columns: tuple[str, ...]) -> set:
        return {row[column] for row in rows for column in columns if column in row}

    def _load_briefs(self, model, pks: Iterable) -> None:
        known = self._briefs[model]
        missing = {pk for pk in pks if pk is not None and pk not in known}
        if not missing:
            return
        brief = self._brief_of[model]
        for row in model.objects.filter(among("pk", missing)).order_by().values(*BRIEF_COLUMNS[model]):
            known[row["id"]] = brief(row)

    # The briefs as ActorBriefSerializer, CountryBriefSerializer and SourceBriefSerializer declare them.

    def _actor_brief(self, actor: dict) -> dict:
        return {
            "slug": actor["slug"],
            "name": actor["name"],
            "kind": actor["kind"],
            "url": self._actor_url(actor["slug"]),
        }

    def _country(self, code: str | None, name: str | None) -> dict | None:
        if code is None:
            return None
        known = self._briefs[Country]
        if code not in known:
            known[code] = {"code": code, "name": name, "url": self._country_url(code)}
        return known[code]

    def _source_brief(self, source: dict) -> dict:
        return {
            "id": source["id"],
            "slug": source["slug"],
            "label": source_label(**{part: source[part] for part in LABEL_PARTS}),
            "title": source["title"],
            "authors": list(source["authors"]),
            "publisher": source["publisher"],
            "published_on": _date(source["published_on"]),
            "url": self._source_url(source["slug"]),
        }

    def _brief(self, model, pk):
        return self._briefs[model][pk] if pk is not None else None

    @staticmethod
    def _quantity(row: dict) -> dict | None:
        value, lower, upper = row["quantity_value"], row["quantity_lower"], row["quantity_upper"]
        if not quantity_given(value, lower, upper):
            return None
        return {
            "value": _float(value),
            "lower": _float(lower),
            "upper": _float(upper),
            "qualifier": row["quantity_qualifier"] or None,
            "unit": row["quantity_unit"],
            "text": row["quantity_text"],
        }

    def _relation(self, relation: selectors.RelationRow) -> dict:
        return {
            "id": relation.id,
            "type": relation.type,
            "direction": relation.direction,
            "note": relation.note,
            "claim": {
                "id": relation.claim_id,
                "url": self._claim_url(relation.claim_id),
                "kind": relation.claim_kind,
                "summary": relation.claim_summary,
                "source": relation.claim_source,
            },
        }
