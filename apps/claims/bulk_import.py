"""Bulk import of sources, actors and claims from NDJSON, fast enough for millions of claims.

Each line is one JSON object with a ``type`` ("actor", "source" or "claim") and
the same field names as the API's write representation. A line may refer only
to actors and sources defined earlier in the file or already in the database.

A file is imported all-or-nothing: everything runs in one transaction, and any
invalid line rolls the whole file back. Errors name the line and the field. Into a
database without claims, the claim tables' plain indexes are dropped for the load, and the
foreign keys of the claims and of every table that refers to them for the load and what other
apps derive from it; they are added back before the commit, each key checked in one pass
rather than row by row and each index built in one sort rather than row by row.
Claims are validated by the same rules as every other write path
(``apps.claims.validation``) and written with PostgreSQL COPY in batches; the
derived columns (publication date, search vector, any-role
countries) are computed in the same statements rather than updated afterwards.
"""

import datetime
import queue
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from apps.actors.models import Actor, ActorKind
from apps.claims.kinds import ClaimStance
from apps.claims.models import Claim, Confidence, QuoteAnchor, ReviewStatus
from apps.claims.services import claim_check, claims_changed
from apps.claims.validation import QUANTITY_FIELDS, QUANTITY_PARTS, anchor_locate, client_field_name
from apps.core.validation import validation_messages
from apps.countries.models import Country
from apps.sources.models import PublicationPrecision, Source, SourceKind
from apps.sources.text import text_sha256

BATCH_SIZE = 5_000
ID_CHUNK = 1_000
MAX_ERRORS = 20

# A claim's own columns, as the model holds them once a line is read.
_CLAIM_VALUES = [
    "source_id",
    "key",
    "kind",
    "status",
    "stance",
    "summary",
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
    "review_status",
    "confidence",
    "notes",
]
_CLAIM_COLUMNS = ["id", *_CLAIM_VALUES, "created_at", "updated_at"]
_STAGED_COLUMNS = [*_CLAIM_COLUMNS, "quote", "quote_start", "quote_end", "prefix", "suffix"]
_PUBLISH_STAGED_CLAIMS = f"""
INSERT INTO claims_claim ({", ".join(_CLAIM_COLUMNS)}, reported_on, search_vector)
SELECT {", ".join(f"i.{c}" for c in _CLAIM_COLUMNS)}, s.published_on, claim_search_vector(i.summary, i.quote, s.title)
FROM import_claim i JOIN sources_source s ON s.id = i.source_id;
INSERT INTO claims_quoteanchor (claim_id, exact, start, "end", prefix, suffix)
SELECT id, quote, quote_start, quote_end, prefix, suffix FROM import_claim WHERE quote IS NOT NULL;
TRUNCATE import_claim;
"""


# The tables the import's own statements and the triggers they fire read, as they grow.
_ANALYZED_TABLES = ["claims_claim", "claims_change_pending", "claims_quoteanchor", "claims_claimcountry"]


class NdjsonImportError(Exception):
    """The file was not imported; ``errors`` lists (line, field, message)."""

    def __init__(self, errors: list[tuple[int, str | None, str]]):
        self.errors = errors
        super().__init__("; ".join(f"line {line}: {f or 'line'}: {message}" for line, f, message in errors))


@dataclass
class ImportSummary:
    actors: int = 0
    sources: int = 0
    claims: int = 0
    lines: int = 0
    errors: list = field(default_factory=list)


class _LineError(Exception):
    def __init__(self, field_name: str | None, message: str):
        self.field_name, self.message = field_name, message


def _date(value, name: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _LineError(name, "Enter a valid date as YYYY-MM-DD.") from None


def _number(value, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _LineError(name, "A number is required.")
    return float(value)


def _text(data: dict, name: str, *, required: bool = False, max_length: int | None = None) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise _LineError(name, "This field is required.")
        return ""
    if not isinstance(value, str):
        raise _LineError(name, "A string is required.")
    if max_length and len(value) > max_length:
        raise _LineError(name, f"At most {max_length} characters.")
    return value


def _choice(data: dict, name: str, choices, *, required: bool = True, default: str = "") -> str:
    value = data.get(name, default)
    if value in (None, ""):
        if required:
            raise _LineError(name, "This field is required.")
        return ""
    if value not in choices:
        raise _LineError(name, f"{value!r} is not a valid choice.")
    return value


def _quantity_fields(quantity: dict) -> dict:
    """A line's ``quantity`` object as the claim's quantity columns."""
    return {
        model: _number(quantity.get(api), f"quantity.{api}") if model in QUANTITY_FIELDS else (quantity.get(api) or "")
        for api, model in QUANTITY_PARTS.items()
    }


@dataclass
class _Batch:
    """What a flush hands the writer: COPY statements with their rows (actors, sources), then claims."""

    instances: list[tuple[str, list[tuple]]]
    claims: list


def _copy_rows(model, instances: list) -> tuple[str, list[tuple]]:
    """A COPY statement for ``model``'s table and the rows of ``instances``, each value as its field
    prepares it for the database (as ``bulk_create`` would), taken in the importing thread."""
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    quote = connection.ops.quote_name
    statement = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
    rows = [
        tuple(f.get_db_prep_save(getattr(instance, f.attname), connection) for f in fields) for instance in instances
    ]
    return statement, rows


class _BatchWriter:
    """Writes each batch (its actors, sources and claims) from a second thread on the import's own connection
    and transaction.

    Parsing and validating the next batch in Python then overlaps PostgreSQL's
    work on this one; psycopg serialises the two threads' use of the connection.
    """

    def __init__(self, raw_connection, progress: Callable[[int], None], *, claims_before: int):
        self.connection = raw_connection
        self.progress = progress
        self.claims_before = claims_before
        self.written = 0
        self.next_analysis = claims_before
        self.batches: queue.Queue = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="ndjson-writer", daemon=True)
        self.thread.start()

    def submit(self, batch: _Batch) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put(batch)

    def close(self) -> None:
        self.batches.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error

    def _work(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is None:
                try:
                    self._write(batch)
                except BaseException as error:  # handed to the importing thread by submit() or close()
                    self.error = error

    def _write(self, batch: _Batch) -> None:
        with self.connection.cursor() as cursor:
            # Actors and sources first: the claims' statement reads their sources' titles and dates.
            for statement, rows in batch.instances:
                if rows:
                    with cursor.copy(statement) as copy:
                        for row in rows:
                            copy.write_row(row)
            if batch.claims:
                self._write_claims(cursor, batch.claims)
        self.progress(len(batch.claims))

    def _write_claims(self, cursor, batch: list) -> None:
        with cursor.copy(f"COPY import_claim ({', '.join(_STAGED_COLUMNS)}) FROM STDIN") as staged:
            for claim_id, (row, _, _, _) in batch:
                staged.write_row((claim_id, *row))
        cursor.execute(_PUBLISH_STAGED_CLAIMS)
        with cursor.copy("COPY claims_claim_countries (claim_id, country_id) FROM STDIN") as m2m:
            for claim_id, (_, involved, _, _) in batch:
                for code in involved:
                    m2m.write_row((claim_id, code))
        with cursor.copy("COPY claims_claimcountry (claim_id, country_id, reported_on) FROM STDIN") as links:
            for claim_id, (_, _, touched, reported_on) in batch:
                for code in touched:
                    links.write_row((claim_id, code, reported_on))
        self.written += len(batch)
        self._planner_told(cursor)

    def _planner_told(self, cursor) -> None:
        """Each time this import has doubled the claims, tell the planner how many rows the tables hold.

        ANALYZE in the import's transaction counts the rows it has written. Without it, the triggers'
        statements are planned for the tables as they were when the import began (an empty database's
        few rows), and read the whole claim table for each batch where its primary key finds the batch's
        claims. An import that adds little to a large table never runs it.
        """
        if self.written >= self.next_analysis:
            cursor.execute(f"ANALYZE {', '.join(_ANALYZED_TABLES)}")
            self.next_analysis = self.claims_before + 2 * self.written


class _Importer:
    def __init__(self, *, batch_size: int, progress: Callable[[int], None] | None, keep_ids: bool = False):
        self.batch_size = batch_size
        self.keep_ids = keep_ids
        self.kept_ids: dict[type, set[int]] = {}
        self.progress = progress or (lambda n: None)
        self.summary = ImportSummary()
        self.countries = set(Country.objects.values_list("code", flat=True))
        self.actors: dict[str, tuple[int, str | None]] = {
            slug: (pk, country) for pk, slug, country in Actor.objects.values_list("id", "slug", "country_id")
        }
        self.sources: dict[str, tuple[int, str, datetime.date | None] | None] = dict.fromkeys(
            Source.objects.values_list("slug", flat=True)
        )
        self.pending_actors: list[Actor] = []
        self.pending_sources: list[Source] = []
        self.id_pools: dict[type, list[int]] = {}
        self.pending_claims: list[tuple[int, tuple]] = []
        self.written_ids: list[int] = []
        self.pending_links: list[tuple[int, str]] = []
        self.keys: set[str] = set()
        self.now = datetime.datetime.now(datetime.UTC)

    # -- reference data ---------------------------------------------------
    def source_text(self, slug: str) -> tuple[int, str, datetime.date | None] | None:
        """Id, text and publication date of a source from this file or the database (loaded on first use)."""
        if slug not in self.sources:
            return None
        if self.sources[slug] is None:
            self.sources[slug] = Source.objects.filter(slug=slug).values_list("id", "text", "published_on").get()
        return self.sources[slug]

    def actor(self, data: dict, name: str) -> tuple[int, str | None] | None:
        slug = data.get(name)
        if slug in (None, ""):
            return None
        if slug not in self.actors:
            raise _LineError(name, f"Unknown actor {slug!r}.")
        return self.actors[slug]

    def country(self, code, name: str) -> str | None:
        if code in (None, ""):
            return None
        if not isinstance(code, str) or code.upper() not in self.countries:
            raise _LineError(name, f"Unknown country {code!r}; use an ISO 3166-1 alpha-2 code.")
        return code.upper()

    # -- lines --------------------------------------------------------------
    def next_id(self, model) -> int:
        pool = self.id_pools.setdefault(model, [])
        if not pool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [model._meta.db_table, self.batch_size if model is Claim else ID_CHUNK],
                )
                pool.extend(row[0] for row in reversed(cursor.fetchall()))
        return pool.pop()

    def record_id(self, data: dict, model) -> int:
        """The id the line gives, when ids are kept (a dump's records), else the table's next one."""
        if not self.keep_ids:
            return self.next_id(model)
        value = data.get("id")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise _LineError("id", "A positive whole number is required.")
        used = self.kept_ids.setdefault(model, set())
        if value in used:
            raise _LineError("id", f"Id {value} is used twice.")
        used.add(value)
        return value

    def add_actor(self, data: dict) -> None:
        country = self.country(data.get("country"), "country")
        actor = Actor(
            slug=_text(data, "slug", required=True),
            name=_text(data, "name", required=True),
            kind=_choice(data, "kind", ActorKind.values),
            aliases=list(data.get("aliases") or []),
            country_id=country,
            wikidata_qid=_text(data, "wikidata_qid"),
            description=_text(data, "description"),
            created_at=self.now,
            updated_at=self.now,
        )
        if actor.slug in self.actors:
            raise _LineError("slug", f"An actor with slug {actor.slug!r} already exists.")
        actor.full_clean(exclude=["country"], validate_unique=False, validate_constraints=False)
        actor.pk = self.record_id(data, Actor)
        self.pending_actors.append(actor)
        self.actors[actor.slug] = (actor.pk, country)
        self.summary.actors += 1

    def add_source(self, data: dict) -> None:
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise _LineError("text", "A source needs its text.")
        source = Source(
            slug=_text(data, "slug", required=True),
            title=_text(data, "title"),
            authors=list(data.get("authors") or []),
            publisher=_text(data, "publisher"),
            url=_text(data, "document_url"),
            published_on=_date(data.get("published_on"), "published_on"),
            published_precision=_choice(data, "published_precision", PublicationPrecision.values, default="unknown"),
            language=_text(data, "language") or "en",
            kind=_choice(data, "kind", SourceKind.values),
            text=text,
            metadata_notes=_text(data, "metadata_notes"),
            text_sha256=text_sha256(text),
            created_at=self.now,
            updated_at=self.now,
        )
        if source.slug in self.sources:
            raise _LineError("slug", f"A source with slug {source.slug!r} already exists.")
        source.full_clean(validate_unique=False, validate_constraints=False)
        source.pk = self.record_id(data, Source)
        self.pending_sources.append(source)
        self.sources[source.slug] = (source.pk, text, source.published_on)
        self.summary.sources += 1

    def add_claim(self, data: dict) -> None:
        source = self.source_text(_text(data, "source", required=True))
        if source is None:
            raise _LineError("source", f"Unknown source {data.get('source')!r}.")
        source_id, text, reported_on = source
        claim, involved, touched = self.claim_of(data, source_id)
        quote, begin, end = self.checked_anchor(data, claim, text)
        if claim.key is not None:
            self.keys.add(claim.key)
        if begin is None:
            prefix = suffix = None
        else:
            context = QuoteAnchor.CONTEXT_LENGTH
            prefix, suffix = text[max(0, begin - context) : begin], text[end : end + context]
        row = (*(getattr(claim, name) for name in _CLAIM_VALUES), self.now, self.now, quote, begin, end, prefix, suffix)
        self.pending_claims.append((self.record_id(data, Claim), (row, involved, touched, reported_on)))
        if len(self.pending_claims) >= self.batch_size:
            self.flush()

    def claim_of(self, data: dict, source_id: int) -> tuple[Claim, set[str], set[str]]:
        """The claim a line describes, not yet checked; the countries it names, and every country it touches
        (those, its location, and its subject's and object's countries), as the country filter finds them."""
        quantity = data.get("quantity") or {}
        if not isinstance(quantity, dict):
            raise _LineError("quantity", "An object is required.")
        subject, obj, claimant = (self.actor(data, name) for name in ("subject", "object", "claimant"))
        location = self.country(data.get("location"), "location")
        countries = data.get("countries") or []
        if not isinstance(countries, list):
            raise _LineError("countries", "A list of alpha-2 codes is required.")
        involved = {self.country(code, "countries") for code in countries}
        key = data.get("key") or None
        if key is not None and key in self.keys:
            raise _LineError("key", f"Key {key!r} is used twice.")
        claim = Claim(
            source_id=source_id,
            key=key,
            kind=data.get("kind") or "",
            status=data.get("status") or "",
            stance=data.get("stance") or ClaimStance.STATED,
            trend=data.get("trend") or "",
            summary=_text(data, "summary", required=True),
            subject_id=subject and subject[0],
            object_id=obj and obj[0],
            claimant_id=claimant and claimant[0],
            location_id=location,
            valid_from=_date(data.get("valid_from"), "valid_from"),
            valid_to=_date(data.get("valid_to"), "valid_to"),
            valid_from_precision=data.get("valid_from_precision") or "",
            valid_to_precision=data.get("valid_to_precision") or "",
            review_status=data.get("review_status") or ReviewStatus.DRAFT,
            confidence=data.get("confidence") or Confidence.MEDIUM,
            notes=_text(data, "notes"),
            **_quantity_fields(quantity),
        )
        touched = involved | {location, subject and subject[1], obj and obj[1]}
        return claim, involved, touched - {None}

    def checked_anchor(self, data: dict, claim: Claim, text: str) -> tuple[str | None, int | None, int | None]:
        """Check ``claim`` by the rules of every write path, and find its quote in its source's ``text``: the
        quote and where it begins and ends (all None for a dump's draft that has no quote yet)."""
        try:
            claim_check(claim, validate_unique=False)  # keys are checked against the file and the table
            quote = data.get("quote")
            # A dump restores a draft that has no quote yet as it was; a published claim always has one.
            if self.keep_ids and quote is None and claim.review_status != ReviewStatus.PUBLISHED:
                return None, None, None
            if not isinstance(quote, str):
                raise ValidationError({"quote": "A claim needs a quote from its source."})
            start = data.get("quote_start")
            if start is not None and (isinstance(start, bool) or not isinstance(start, int)):
                raise ValidationError({"quote_start": "A whole number is required."})
            return quote, *anchor_locate(text, quote, start)
        except ValidationError as error:
            name, message = validation_messages(error, field_name=client_field_name)[0]
            raise _LineError(name, message) from None

    # -- writing ------------------------------------------------------------
    def flush(self) -> None:
        instances = [_copy_rows(Actor, self.pending_actors), _copy_rows(Source, self.pending_sources)]
        claims = self.pending_claims
        self.pending_actors, self.pending_sources, self.pending_claims = [], [], []
        self.written_ids.extend(claim_id for claim_id, _ in claims)
        self.writer.submit(_Batch(instances, claims))
        self.summary.claims += len(claims)

    def run(self, lines: Iterable[bytes]) -> ImportSummary:
        handlers = {"actor": self.add_actor, "source": self.add_source, "claim": self.add_claim}
        connection.ensure_connection()
        self.writer = _BatchWriter(connection.connection, self.progress, claims_before=_claims_estimate())
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS import_claim ON COMMIT DROP AS "
                f"SELECT {', '.join(_CLAIM_COLUMNS)}, ''::text AS quote, 0 AS quote_start, 0 AS quote_end, "
                "''::text AS prefix, ''::text AS suffix FROM claims_claim WITH NO DATA"
            )
        try:
            for number, raw in enumerate(lines, start=1):
                self.summary.lines = number
                if not raw.strip():
                    continue
                try:
                    data = orjson.loads(raw)
                    if not isinstance(data, dict):
                        raise _LineError(None, "Each line must be a JSON object.")
                    handler = handlers.get(data.get("type"))
                    if handler is None:
                        raise _LineError("type", "type must be one of: actor, source, claim.")
                    handler(data)
                except orjson.JSONDecodeError as error:
                    self.summary.errors.append((number, None, f"Not valid JSON: {error}"))
                except _LineError as error:
                    self.summary.errors.append((number, error.field_name, error.message))
                except ValidationError as error:
                    for name, message in validation_messages(error, field_name=client_field_name):
                        self.summary.errors.append((number, name, message))
                if len(self.summary.errors) >= MAX_ERRORS:
                    break
            if not self.summary.errors:
                self.flush()
        finally:
            # Also when the lines themselves fail to come (a reader's error): the writer thread must end.
            self.writer.close()
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE import_claim")
        return self.summary


def _claims_estimate() -> int:
    """The planner's count of claims (0 before the table was first analysed): free, where count(*) reads them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = 'claims_claim'::regclass")
        return cursor.fetchone()[0]


# The tables whose foreign keys a first load drops: the claims, and every table that refers to them
# (quotes, countries, and what other apps derive from claims in the same transaction), all empty
# without claims. PostgreSQL would check each of their rows' keys one by one at the commit.
_REFERRING_TABLES = """
SELECT 'claims_claim' UNION
SELECT conrelid::regclass::text FROM pg_constraint WHERE contype = 'f' AND confrelid = 'claims_claim'::regclass
"""
_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
"""
# The tables the importer writes itself: PostgreSQL would add each row to every index as it is written.
_WRITTEN_TABLES = ["claims_claim", "claims_quoteanchor", "claims_claim_countries", "claims_claimcountry"]
# Indexes that enforce nothing: not a primary key, not unique, not backing a constraint. Rebuilt from
# pg_get_indexdef, which keeps their columns, operator classes, INCLUDE, WHERE and storage parameters
# (not a tablespace, a comment or per-column statistics targets, which the migrations never set).
_PLAIN_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


# As pg_restore loads: only for a first import into an empty database, since until the transaction
# ends the import locks these tables and the ones they refer to. On an error the rollback restores
# what was dropped.
@contextmanager
def _keys_checked_after():
    """Drop the foreign keys of the claims and of the tables that refer to them, and add them back
    afterwards, each checked in one pass."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        _deferred_checks_run_now(cursor)
        cursor.execute(_REFERRING_TABLES)
        cursor.execute(_FOREIGN_KEYS, [[table for (table,) in cursor.fetchall()]])
        keys = cursor.fetchall()
        for table, name, _ in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")


@contextmanager
def _indexed_after():
    """Drop the plain indexes of the tables the importer writes, and build each afterwards in one sort."""
    with connection.cursor() as cursor:
        _deferred_checks_run_now(cursor)
        cursor.execute(_PLAIN_INDEXES, [_WRITTEN_TABLES])
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _, definition in indexes:
            cursor.execute(definition)


def _deferred_checks_run_now(cursor) -> None:
    """Run now what PostgreSQL deferred to the commit (it alters no table with checks still pending),
    then defer again, as every deferrable constraint here is declared.

    The change feed's trigger (claims_changes_record) waits for the commit too. A load run with it
    immediate recorded each batch's claims as soon as they were written, so that adding their quotes
    and countries then counted as changing claims written earlier, and rewrote every claim twice more.
    """
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def ndjson_import(
    *, path: Path, batch_size: int = BATCH_SIZE, progress: Callable[[int], None] | None = None
) -> ImportSummary:
    """Import one NDJSON file all-or-nothing; raises NdjsonImportError naming every bad line (up to 20)."""
    with path.open("rb") as lines:
        return ndjson_lines_import(lines=lines, batch_size=batch_size, progress=progress)


def ndjson_lines_import(
    *,
    lines: Iterable[bytes],
    keep_ids: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import NDJSON lines all-or-nothing, as ``ndjson_import`` does a file.

    With ``keep_ids`` every line carries the ``id`` its record gets (as a dump's records do), and
    the caller moves the tables' id sequences past them.
    """
    importer = _Importer(batch_size=batch_size, progress=progress, keep_ids=keep_ids)
    with transaction.atomic():
        first_load = not Claim.objects.exists()
        with _keys_checked_after() if first_load else nullcontext():
            with _indexed_after() if first_load else nullcontext():
                summary = importer.run(lines)
                if summary.errors:
                    raise NdjsonImportError(summary.errors)  # leaving the atomic block rolls everything back
            # What other apps derive from the claims reads them by their indexes, and writes rows whose
            # keys are checked with the claims'.
            claims_changed.send(sender=Claim, claim_ids=importer.written_ids)
    return summary
