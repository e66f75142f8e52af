"""A claim's JSON, as ``ClaimSerializer`` declares it, for every reader of claims.

The list, the detail, the answers to writes, the exports and the feeds all render claims
here, so the same claim is the same bytes everywhere. ``ClaimSerializer`` declares the
fields (their names, order, types and documentation: the OpenAPI schema); this module
renders them from plain rows rather than through DRF's field-by-field machinery, which
costs about twenty times as much per claim, and from model instances, which cost about
as much again. ``tests/test_api_representation.py`` holds the two to each other: for
every fixture claim, for each kind of reader and for sparse fields, what is rendered here
equals what DRF renders from the declaration.

The actors, sources and countries a claim embeds are few and shared by many claims: each
is rendered once per renderer, by its own brief serializer, whatever the number of claims.
"""

from collections.abc import Iterable

from apps.actors.api.serializers import ActorBriefSerializer
from apps.actors.models import Actor
from apps.claims import selectors
from apps.claims.quantities import quantity_given
from apps.core.api.urls import UrlPattern
from apps.countries.api.serializers import CountryBriefSerializer
from apps.countries.models import Country
from apps.sources.api.serializers import SourceBriefSerializer
from apps.sources.models import Source

# The claim columns a representation is made of (the anchor's through its one-to-one join).
COLUMNS = (
    "id",
    "key",
    "kind",
    "status",
    "stance",
    "summary",
    "source_id",
    "subject_id",
    "object_id",
    "claimant_id",
    "location_id",
    "quantity_value",
    "quantity_lower",
    "quantity_upper",
    "quantity_qualifier",
    "quantity_unit",
    "quantity_text",
    "trend",
    "valid_from",
    "valid_from_precision",
    "valid_to",
    "valid_to_precision",
    "reported_on",
    "anchor__claim_id",
    "anchor__exact",
    "anchor__start",
    "anchor__end",
    "anchor__prefix",
    "anchor__suffix",
    "review_status",
    "confidence",
    "notes",
    "created_at",
    "updated_at",
)

# The brief serializer of each embedded model, and the columns it reads (a source's text is not one).
BRIEFS = {
    Actor: (ActorBriefSerializer, ("id", "slug", "name", "kind")),
    Country: (CountryBriefSerializer, ("code", "name")),
    Source: (
        SourceBriefSerializer,
        ("id", "slug", "kind", "title", "authors", "publisher", "published_on", "published_precision"),
    ),
}


def _timestamp(value) -> str:
    # DRF's DATETIME_FORMAT (settings) in UTC, the project's time zone.
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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
        self._claim_url = UrlPattern("api:claim-detail", "pk", request)
        self._briefs: dict[type, dict] = {model: {} for model in BRIEFS}

    @classmethod
    def for_serializer_context(cls, context: dict) -> "ClaimRenderer":
        request = context.get("request")
        return cls(
            request=request,
            user=getattr(request, "user", None),
            fields=context.get("fields"),
            sees_drafts=bool(context.get("sees_drafts")),
        )

    def wants(self, name: str) -> bool:
        return self.fields is None or name in self.fields

    def render(self, ids: list[int]) -> list[dict]:
        """The claims with these ids, in this order; ids the user may not see are left out."""
        if not ids:
            return []
        rows = {row["id"]: row for row in selectors.claim_rows(self.user, ids, COLUMNS)}
        countries = selectors.country_links_of(ids) if self.wants("countries") else {}
        relations = selectors.relations_of(self.user, ids) if self.wants("relations") else {}
        if self.wants("source"):
            self._load_briefs(Source, {row["source_id"] for row in rows.values()})
        if self.wants("subject") or self.wants("object") or self.wants("claimant"):
            self._load_briefs(
                Actor, {row[f"{role}_id"] for row in rows.values() for role in ("subject", "object", "claimant")}
            )
        if self.wants("location") or self.wants("countries"):
            codes = {row["location_id"] for row in rows.values()}
            codes.update(code for links in countries.values() for code in links)
            self._load_briefs(Country, codes)
        return [
            self._document(rows[claim_id], countries.get(claim_id, ()), relations.get(claim_id, ()))
            for claim_id in ids
            if claim_id in rows
        ]

    def _load_briefs(self, model, pks: Iterable) -> None:
        known = self._briefs[model]
        missing = {pk for pk in pks if pk is not None and pk not in known}
        if not missing:
            return
        serializer_class, columns = BRIEFS[model]
        instances = list(model.objects.filter(pk__in=missing).only(*columns))
        briefs = serializer_class(instances, many=True, context={"request": self.request}).data
        known.update(zip((instance.pk for instance in instances), briefs, strict=True))

    def _brief(self, model, pk):
        return self._briefs[model][pk] if pk is not None else None

    def _document(self, row: dict, country_codes, relations) -> dict:
        # In ClaimSerializer.Meta.fields' order; the test compares both, order included.
        document = {
            "id": row["id"],
            "url": self._claim_url(row["id"]),
            "key": row["key"],
            "kind": row["kind"],
            "status": row["status"],
            "stance": row["stance"],
            "summary": row["summary"],
            "source": self.wants("source") and self._brief(Source, row["source_id"]),
            "subject": self.wants("subject") and self._brief(Actor, row["subject_id"]),
            "object": self.wants("object") and self._brief(Actor, row["object_id"]),
            "claimant": self.wants("claimant") and self._brief(Actor, row["claimant_id"]),
            "location": self.wants("location") and self._brief(Country, row["location_id"]),
            "countries": [self._brief(Country, code) for code in country_codes],
            "quantity": self._quantity(row),
            "trend": row["trend"] or None,
            "valid_from": _date(row["valid_from"]),
            "valid_from_precision": row["valid_from_precision"] or None,
            "valid_to": _date(row["valid_to"]),
            "valid_to_precision": row["valid_to_precision"] or None,
            "reported_on": _date(row["reported_on"]),
            "anchor": self._anchor(row),
            "relations": [self._relation(relation) for relation in relations],
            "review_status": row["review_status"],
            "confidence": row["confidence"],
            "notes": row["notes"] if self.sees_drafts else None,
            "created_at": _timestamp(row["created_at"]),
            "updated_at": _timestamp(row["updated_at"]),
        }
        if self.fields is None:
            return document
        return {name: value for name, value in document.items() if name in self.fields}

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

    @staticmethod
    def _anchor(row: dict) -> dict | None:
        if row["anchor__claim_id"] is None:
            return None
        return {
            "exact": row["anchor__exact"],
            "start": row["anchor__start"],
            "end": row["anchor__end"],
            "prefix": row["anchor__prefix"],
            "suffix": row["anchor__suffix"],
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
