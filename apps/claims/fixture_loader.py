"""Load the curated fixtures (see fixtures/README.md): idempotent, atomic, and precise about errors."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.actors.models import Actor
from apps.actors.services import actor_create, actor_update
from apps.claims.kinds import ClaimStance
from apps.claims.models import Claim, ClaimRelation
from apps.claims.services import claim_create, claim_relation_create, claim_update, claims_refresh_deferred
from apps.claims.validation import QUANTITY_FIELDS, QUANTITY_PARTS, client_field_name
from apps.core.validation import validation_text
from apps.countries.models import Country
from apps.sources.models import Source
from apps.sources.services import source_create, source_update
from apps.sources.text import strip_markup

ACTOR_FIELDS = {"slug", "name", "kind", "country", "aliases", "wikidata", "description"}
SOURCE_FIELDS = {
    "slug",
    "text_file",
    "title",
    "authors",
    "publisher",
    "url",
    "published_on",
    "published_precision",
    "language",
    "kind",
    "metadata_notes",
}
CLAIM_FIELDS = {
    "key",
    "kind",
    "status",
    "stance",
    "summary",
    "subject",
    "object",
    "claimant",
    "location",
    "countries",
    "quantity",
    "trend",
    "valid_from",
    "valid_from_precision",
    "valid_to",
    "valid_to_precision",
    "quote",
    "confidence",
    "review_status",
    "notes",
}
RELATION_FIELDS = {"from", "to", "type", "note"}


class FixtureError(Exception):
    """A fixture entry that cannot be loaded; names the file, the entry and the reason."""

    def __init__(self, path: Path, entry: str, reason: str):
        self.path, self.entry, self.reason = path, entry, reason
        shown = path.relative_to(path.parents[1]) if len(path.parents) > 1 else path
        super().__init__(f"{shown}: {entry}: {reason}")


@dataclass
class LoadReport:
    counts: dict[str, Counter] = field(default_factory=dict)

    def add(self, model: str, outcome: str) -> None:
        self.counts.setdefault(model, Counter())[outcome] += 1

    def lines(self) -> list[str]:
        return [
            f"{model}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for model, c in self.counts.items()
        ]


def _reason(error: ValidationError) -> str:
    return validation_text(error, field_name=client_field_name)


def _read_yaml(path: Path):
    try:
        # libyaml's loader when PyYAML has it: ten times faster than the pure-Python one.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise FixtureError(path, "file", f"not valid YAML: {error}") from None


def _check_fields(path: Path, entry: str, data, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise FixtureError(path, entry, "expected a mapping of fields")
    unknown = set(data) - allowed
    if unknown:
        raise FixtureError(path, entry, f"unknown field(s): {', '.join(sorted(unknown))}")


class _Loader:
    def __init__(self, directory: Path):
        self.directory = directory
        self.report = LoadReport()
        self.actors: dict[str, Actor] = {}
        self.countries = {c.code: c for c in Country.objects.all()}

    def country(self, path: Path, entry: str, code) -> Country | None:
        if code in (None, ""):
            return None
        country = self.countries.get(str(code).upper())
        if country is None:
            raise FixtureError(path, entry, f"unknown country {code!r} (use an ISO 3166-1 alpha-2 code)")
        return country

    def actor(self, path: Path, entry: str, slug) -> Actor | None:
        if slug in (None, ""):
            return None
        if slug not in self.actors:
            raise FixtureError(path, entry, f"unknown actor {slug!r} (define it in fixtures/actors/)")
        return self.actors[slug]

    @staticmethod
    def _upsert(instance, values: dict, create, update) -> tuple[object, str]:
        if instance is None:
            return create(**values), "created"
        if all(getattr(instance, name) == value for name, value in values.items()):
            return instance, "unchanged"
        return update(instance, values), "updated"

    def load_actors(self) -> None:
        existing = {a.slug: a for a in Actor.objects.all()}
        for path in sorted((self.directory / "actors").glob("*.yaml")):
            for index, data in enumerate(_read_yaml(path) or []):
                entry = f"actor {data.get('slug', f'#{index + 1}') if isinstance(data, dict) else index + 1}"
                _check_fields(path, entry, data, ACTOR_FIELDS)
                slug = data.get("slug")
                if slug in self.actors:
                    raise FixtureError(path, entry, "slug defined twice")
                values = {
                    "slug": slug,
                    "name": data.get("name", ""),
                    "kind": data.get("kind", ""),
                    "country": self.country(path, entry, data.get("country")),
                    "aliases": list(data.get("aliases") or []),
                    "wikidata_qid": data.get("wikidata") or "",
                    "description": data.get("description") or "",
                }
                try:
                    actor, outcome = self._upsert(
                        existing.get(slug), values, actor_create, lambda a, v: actor_update(actor=a, **v)
                    )
                except ValidationError as error:
                    raise FixtureError(path, entry, _reason(error)) from None
                self.actors[slug] = actor
                self.report.add("actors", outcome)

    def load_source(self, path: Path, data) -> Source:
        entry = f"source {data.get('slug') if isinstance(data, dict) else ''}".strip()
        _check_fields(path, entry, data, SOURCE_FIELDS)
        text_path = self.directory / str(data.get("text_file", ""))
        if not data.get("text_file") or not text_path.is_file():
            raise FixtureError(path, entry, f"text_file {data.get('text_file')!r} not found in {self.directory}")
        values = {
            "slug": data.get("slug"),
            "title": data.get("title", ""),
            "authors": list(data.get("authors") or []),
            "publisher": data.get("publisher") or "",
            "url": data.get("url") or "",
            "published_on": data.get("published_on"),
            "published_precision": data.get("published_precision", "unknown"),
            "language": data.get("language", "en"),
            "kind": data.get("kind", ""),
            "metadata_notes": (data.get("metadata_notes") or "").strip(),
            "text": strip_markup(text_path.read_text(encoding="utf-8")),
        }
        if values["published_on"] is not None and not isinstance(values["published_on"], datetime.date):
            raise FixtureError(path, entry, "published_on must be a date written as YYYY-MM-DD")
        existing = Source.objects.filter(slug=values["slug"]).first()
        try:
            source, outcome = self._upsert(existing, values, source_create, lambda s, v: source_update(source=s, **v))
        except ValidationError as error:
            raise FixtureError(path, entry, _reason(error)) from None
        self.report.add("sources", outcome)
        return source

    def claim_values(self, path: Path, entry: str, data: dict) -> dict:
        quantity = data.get("quantity") or {}
        _check_fields(path, f"{entry} quantity", quantity, set(QUANTITY_PARTS))
        for name in ("valid_from", "valid_to"):
            if data.get(name) is not None and not isinstance(data[name], datetime.date):
                raise FixtureError(path, entry, f"{name} must be a date written as YYYY-MM-DD")
        return {
            "kind": data.get("kind", ""),
            "status": data.get("status", ""),
            "stance": data.get("stance", ClaimStance.STATED),
            "summary": (data.get("summary") or "").strip(),
            "subject": self.actor(path, entry, data.get("subject")),
            "object": self.actor(path, entry, data.get("object")),
            "claimant": self.actor(path, entry, data.get("claimant")),
            "location": self.country(path, entry, data.get("location")),
            **{  # figures as written, words as text (blank when not given)
                field: quantity.get(part) if field in QUANTITY_FIELDS else str(quantity.get(part) or "")
                for part, field in QUANTITY_PARTS.items()
            },
            "trend": data.get("trend") or "",
            "valid_from": data.get("valid_from"),
            "valid_from_precision": data.get("valid_from_precision") or "",
            "valid_to": data.get("valid_to"),
            "valid_to_precision": data.get("valid_to_precision") or "",
            "confidence": data.get("confidence", "medium"),
            "review_status": data.get("review_status", "draft"),
            "notes": (data.get("notes") or "").strip(),
        }

    @staticmethod
    def _claim_unchanged(claim: Claim, values: dict, source: Source, quote: str, countries: list) -> bool:
        probe = Claim(**{**values, "source": source})
        try:
            probe.clean()  # apply the same normalisation the saved claim went through
        except ValidationError:
            return False
        names = [name for name in values if name not in ("subject", "object", "claimant", "location")]
        same_fields = all(getattr(claim, name) == getattr(probe, name) for name in names)
        same_refs = all(
            getattr(claim, f"{name}_id") == getattr(probe, f"{name}_id")
            for name in ("subject", "object", "claimant", "location")
        )
        anchor = getattr(claim, "anchor", None)
        return (
            same_fields
            and same_refs
            and claim.source_id == source.pk
            and anchor is not None
            and anchor.exact == quote
            and {c.code for c in claim.countries.all()} == {c.code for c in countries}
        )

    def load_claims(self, path: Path, source: Source, claims) -> None:
        existing = {
            c.key: c
            for c in Claim.objects.filter(key__in=[c.get("key") for c in claims if isinstance(c, dict)])
            .select_related("anchor")
            .prefetch_related("countries")
        }
        for index, data in enumerate(claims):
            entry = f"claim {data.get('key', f'#{index + 1}') if isinstance(data, dict) else index + 1}"
            _check_fields(path, entry, data, CLAIM_FIELDS)
            key, quote = data.get("key"), data.get("quote")
            if not key:
                raise FixtureError(path, entry, "every claim needs a key")
            if key in self.claim_keys:
                raise FixtureError(path, entry, "key used twice")
            if not isinstance(quote, str) or not quote:
                raise FixtureError(path, entry, "quote: every claim needs a quote")
            values = self.claim_values(path, entry, data)
            countries = [self.country(path, entry, code) for code in data.get("countries") or []]
            claim = existing.get(key)
            try:
                if claim is None:
                    claim = claim_create(source=source, key=key, quote=quote, countries=countries, **values)
                    outcome = "created"
                elif self._claim_unchanged(claim, values, source, quote, countries):
                    outcome = "unchanged"
                else:
                    claim = claim_update(claim=claim, source=source, quote=quote, countries=countries, **values)
                    outcome = "updated"
            except ValidationError as error:
                raise FixtureError(path, entry, _reason(error)) from None
            self.claim_keys[key] = claim
            self.report.add("claims", outcome)

    def load_documents(self) -> None:
        self.claim_keys: dict[str, Claim] = {}
        for path in sorted((self.directory / "documents").glob("*.yaml")):
            document = _read_yaml(path)
            _check_fields(path, "document", document, {"source", "claims"})
            source = self.load_source(path, document.get("source"))
            self.load_claims(path, source, document.get("claims") or [])

    def load_relations(self) -> None:
        path = self.directory / "relations.yaml"
        if not path.exists():
            return
        for index, data in enumerate(_read_yaml(path) or []):
            entry = f"relation #{index + 1}"
            _check_fields(path, entry, data, RELATION_FIELDS)
            ends = []
            for end in ("from", "to"):
                claim = self.claim_keys.get(data.get(end))
                if claim is None:
                    raise FixtureError(path, entry, f"unknown claim key {data.get(end)!r} in '{end}'")
                ends.append(claim)
            from_claim, to_claim = ends
            relation = (
                ClaimRelation.objects.filter(from_claim=from_claim, to_claim=to_claim, type=data.get("type"))
                | ClaimRelation.objects.filter(from_claim=to_claim, to_claim=from_claim, type=data.get("type"))
            ).first()
            note = (data.get("note") or "").strip()
            try:
                if relation is None:
                    claim_relation_create(
                        from_claim=from_claim, to_claim=to_claim, type=data.get("type", ""), note=note
                    )
                    self.report.add("relations", "created")
                elif relation.note != note:
                    relation.note = note
                    relation.full_clean()
                    relation.save()
                    self.report.add("relations", "updated")
                else:
                    self.report.add("relations", "unchanged")
            except ValidationError as error:
                raise FixtureError(path, entry, _reason(error)) from None


def fixtures_load(*, directory: Path) -> LoadReport:
    """Load every fixture under ``directory`` in one transaction; raise FixtureError and load nothing on a bad entry."""
    loader = _Loader(directory)
    with transaction.atomic(), claims_refresh_deferred():
        loader.load_actors()
        loader.load_documents()
        loader.load_relations()
    return loader.report
