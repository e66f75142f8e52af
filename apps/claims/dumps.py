"""Database dumps: claims, sources (with their text), actors and relations as gzipped NDJSON and CSV.

Each record is the API's representation, rendered by the API's own views and
serializers (their querysets, visibility and fields), so a dump holds what the
API serves. ``manifest.json`` lists every file with its record count, size and
SHA-256, the API version, when it was written, and a data version that is the
same for the same data (a hash of the files' hashes). Files are written in id
order from one snapshot, and gzipped without a timestamp: dumping unchanged data
again gives the same bytes.

``dump_import`` reads a dump back into an empty database: the API representation of
each actor, source and claim becomes a line of the bulk importer, which validates it
as every write path does, and each relation goes through the relation service. The
records keep their ids and times, so the imported database dumps to the same files.
"""

import datetime
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import orjson
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DataError, IntegrityError, connection, transaction
from django.http import HttpRequest
from rest_framework.request import Request

from apps.actors.api.views import ActorViewSet
from apps.actors.models import Actor
from apps.claims import exports
from apps.claims.api.views import ClaimRelationViewSet, ClaimViewSet
from apps.claims.bulk_import import NdjsonImportError, ndjson_lines_import
from apps.claims.models import Claim, ClaimRelation
from apps.claims.services import claim_relation_create
from apps.core.validation import validation_text
from apps.sources.api.views import SourceViewSet
from apps.sources.models import Source


class _DumpRequest(HttpRequest):
    """A request that only serves to build absolute URLs under ``base_url``."""

    def __init__(self, base_url: str):
        super().__init__()
        parts = urlsplit(base_url)
        self._base_scheme, self._base_host = parts.scheme or "http", parts.netloc
        self.method, self.path = "GET", "/"

    @property
    def scheme(self):
        return self._base_scheme

    def get_host(self):
        return self._base_host


def _reader(*, base_url: str, everything: bool) -> Request:
    """The API request whose views render the dump: a reader who sees everything, or an anonymous one."""
    # An unsaved, active superuser: every permission check passes without a database row.
    user = get_user_model()(is_active=True, is_superuser=True) if everything else AnonymousUser()
    request = Request(_DumpRequest(base_url))
    request.user = user
    return request


def _flat(value):
    """A CSV cell for a field of a non-claim record: nested objects by their natural key, lists joined."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return next((value[key] for key in ("slug", "code", "id") if key in value), "")
    if isinstance(value, list):
        return ";".join(str(_flat(item)) for item in value)
    return value


@dataclass(frozen=True)
class Table:
    name: str
    viewset: type
    action: str


TABLES = [
    Table("claims", ClaimViewSet, "list"),
    Table("sources", SourceViewSet, "retrieve"),  # the detail representation carries the text
    Table("actors", ActorViewSet, "list"),
    Table("relations", ClaimRelationViewSet, "list"),
]


def _view(table: Table, request: Request):
    return table.viewset(request=request, action=table.action, format_kwarg=None, args=(), kwargs={})


def _records(view):
    queryset = view.get_queryset()
    if isinstance(view, ClaimViewSet):  # one renderer for the whole table: each brief is rendered once
        for chunk in view.claim_renderer().render_chunks(queryset.order_by("pk")):
            yield from chunk
        return
    ids = queryset.order_by("pk").values_list("pk", flat=True)
    for chunk in exports.claims_in_chunks(ids, lambda chunk: queryset.filter(pk__in=chunk)):
        yield from view.get_serializer(chunk, many=True).data


def _csv_lines(table: Table, view, records):
    """The table as CSV: claims in the export's documented columns, other records field by field."""
    writer = exports.CsvWriter()
    if table.name == "claims":
        yield writer.header()
        for record in records:
            yield writer.row(record)
        return
    yield writer.line(list(view.get_serializer().fields))
    for record in records:
        yield writer.line([_flat(value) for value in record.values()])


class _HashedGzip:
    """A gzip file without a timestamp, counting and hashing the compressed bytes it writes."""

    def __init__(self, path: Path):
        self.path = path
        self.sha256 = hashlib.sha256()
        self.size = 0
        self._raw = path.open("wb")
        self._gzip = gzip.GzipFile(filename="", mode="wb", fileobj=self, mtime=0)

    def write(self, data: bytes) -> int:  # called by GzipFile with compressed bytes
        self.sha256.update(data)
        self.size += len(data)
        return self._raw.write(data)

    def flush(self) -> None:
        self._raw.flush()

    def add(self, data: bytes) -> None:
        self._gzip.write(data)

    def close(self) -> dict:
        self._gzip.close()
        self._raw.close()
        return {"name": self.path.name, "bytes": self.size, "sha256": self.sha256.hexdigest()}


def _data_version(files) -> str:
    """The same for the same data: a hash of the files' hashes."""
    return hashlib.sha256("".join(entry["sha256"] for entry in files).encode()).hexdigest()


def dump_write(*, directory: Path, base_url: str, everything: bool = True) -> dict:
    """Write the dump into ``directory`` (created if missing) and return its manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    request = _reader(base_url=base_url, everything=everything)
    files, counts = [], {}
    with exports.consistent_snapshot():
        for table in TABLES:
            view = _view(table, request)
            ndjson = _HashedGzip(directory / f"{table.name}.ndjson.gz")
            count = 0
            for record in _records(view):
                ndjson.add(exports.ndjson_line(record))
                count += 1
            # A second pass from the same snapshot, so that no table is ever held in memory.
            table_csv = _HashedGzip(directory / f"{table.name}.csv.gz")
            for line in _csv_lines(table, view, _records(view)):
                table_csv.add(line)
            counts[table.name] = count
            files += [{**ndjson.close(), "records": count}, {**table_csv.close(), "records": count}]
    manifest = {
        "api_version": settings.SPECTACULAR_SETTINGS["VERSION"],
        "data_version": _data_version(files),
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "base_url": base_url,
        "scope": "everything" if everything else "published",
        "counts": counts,
        "files": files,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


# Reading a dump back -----------------------------------------------------------------------------------------


class DumpError(Exception):
    """The dump was not imported; the message says why."""


_CHUNK = 1 << 20


def _file_sha256(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as data:
        while block := data.read(_CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def dump_verify(*, directory: Path) -> dict:
    """The dump's manifest, once every file it lists is there with the size and SHA-256 the manifest gives."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text())
        files = {entry["name"]: entry for entry in manifest["files"]}
        counts = {table.name: manifest["counts"][table.name] for table in TABLES}
    except FileNotFoundError:
        raise DumpError(f"{directory} holds no manifest.json: it is not a dump written by manage.py export.") from None
    except (ValueError, KeyError, TypeError):
        raise DumpError(f"{directory / 'manifest.json'} is not a dump manifest.") from None
    missing = [f"{table.name}.ndjson.gz" for table in TABLES if f"{table.name}.ndjson.gz" not in files]
    if missing:
        raise DumpError(f"The manifest lists no {', '.join(missing)}.")
    for name, entry in files.items():
        if not isinstance(name, str) or Path(name).name != name or name == "manifest.json":
            raise DumpError(f"The manifest names a file outside the dump: {name!r}.")
        path = directory / name
        if not path.is_file():
            raise DumpError(f"{name} is missing from {directory}.")
        sha256, size = _file_sha256(path)
        if (sha256, size) != (entry.get("sha256"), entry.get("bytes")):
            raise DumpError(
                f"{name} is corrupt: {size} bytes with SHA-256 {sha256}, "
                f"where the manifest says {entry.get('bytes')} bytes with SHA-256 {entry.get('sha256')}."
            )
    if manifest.get("data_version") != _data_version(files.values()):
        raise DumpError("The manifest's data version does not match its files' hashes: the manifest was altered.")
    manifest["counts"] = counts
    return manifest


def _records_of(directory: Path, table: str):
    """(line number, record) for each line of a table's NDJSON file."""
    with gzip.open(directory / f"{table}.ndjson.gz", "rb") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except ValueError:
                raise DumpError(f"{table}.ndjson.gz line {number}: not valid JSON.") from None
            if not isinstance(record, dict):
                raise DumpError(f"{table}.ndjson.gz line {number}: not a record.")
            yield number, record


def _natural_key(value: dict | None, key: str):
    """The slug, code or id by which a record refers to another (nested in the API's representation)."""
    return value.get(key) if isinstance(value, dict) else None


# Each API representation, as a line of the bulk importer (apps.claims.bulk_import), which validates it.
def _actor_line(record: dict) -> dict:
    return {**record, "type": "actor", "country": _natural_key(record.get("country"), "code")}


def _source_line(record: dict) -> dict:
    return {**record, "type": "source"}


def _claim_line(record: dict) -> dict:
    anchor = record.get("anchor") or {}
    line = {
        **record,
        "type": "claim",
        "source": _natural_key(record.get("source"), "slug"),
        "location": _natural_key(record.get("location"), "code"),
        "countries": [_natural_key(country, "code") for country in record.get("countries") or []],
        "quote": anchor.get("exact"),
        "quote_start": anchor.get("start"),
    }
    for role in ("subject", "object", "claimant"):
        line[role] = _natural_key(record.get(role), "slug")
    return line


_IMPORTED_TABLES = [("actors", _actor_line), ("sources", _source_line), ("claims", _claim_line)]


class _ImporterLines:
    """The dump's actors, sources and claims as one stream of importer lines, remembering where each came from."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.starts: list[tuple[int, str]] = []

    def __iter__(self):
        count = 0
        for table, convert in _IMPORTED_TABLES:
            self.starts.append((count + 1, table))
            for number, record in _records_of(self.directory, table):
                count += 1
                try:
                    yield orjson.dumps(convert(record))
                except (AttributeError, TypeError):
                    raise DumpError(f"{table}.ndjson.gz line {number}: not a {table[:-1]} of a dump.") from None

    def where(self, line: int) -> str:
        first, table = max(start for start in self.starts if start[0] <= line)
        return f"{table}.ndjson.gz line {line - first + 1}"


def _relations_create(directory: Path) -> int:
    count = 0
    for number, record in _records_of(directory, "relations"):
        try:
            claim_relation_create(
                id=record.get("id"),
                from_claim=Claim(pk=_natural_key(record.get("from_claim"), "id")),
                to_claim=Claim(pk=_natural_key(record.get("to_claim"), "id")),
                type=record.get("type") or "",
                note=record.get("note") or "",
            )
        except ValidationError as error:
            raise DumpError(f"relations.ndjson.gz line {number}: {validation_text(error)}") from None
        count += 1
    return count


_STAMPED = [("actors", Actor), ("sources", Source), ("claims", Claim), ("relations", ClaimRelation)]


def _times_restore(directory: Path) -> None:
    """Give every record the created and updated times of the dump: writing them set the import's time."""
    with connection.cursor() as cursor:
        # Text columns: COPY takes any value, and the UPDATE's casts report a malformed one as a DataError.
        cursor.execute("CREATE TEMP TABLE dump_times (id text, created_at text, updated_at text)")
        # Claims last: the database moves a claim's updated_at when what it embeds changes (its
        # actors, source, relations), and restoring their times is such a change.
        for table, model in sorted(_STAMPED, key=lambda stamped: stamped[1] is Claim):
            with cursor.copy("COPY dump_times FROM STDIN") as copy:
                for _, record in _records_of(directory, table):
                    copy.write_row((record.get("id"), record.get("created_at"), record.get("updated_at")))
            cursor.execute(
                f"UPDATE {connection.ops.quote_name(model._meta.db_table)} t "
                "SET created_at = d.created_at::timestamptz, updated_at = d.updated_at::timestamptz "
                "FROM dump_times d WHERE d.id::bigint = t.id"
            )
            cursor.execute("TRUNCATE dump_times")
        cursor.execute("DROP TABLE dump_times")


def dump_import(*, directory: Path) -> dict:
    """Load a dump written by ``dump_write`` into an empty database, all or nothing; return its counts.

    Every file's SHA-256 is checked against the manifest before anything is read. The records keep
    their ids and times, so exporting the imported data gives the dump's files again, byte for byte.
    """
    manifest = dump_verify(directory=directory)
    lines = _ImporterLines(directory)
    try:
        with transaction.atomic():
            held = {table: model.objects.count() for table, model in _STAMPED}
            if any(held.values()):
                found = ", ".join(f"{count} {table}" for table, count in held.items() if count)
                raise DumpError(f"The database is not empty ({found}): import a dump into a new, migrated database.")
            try:
                summary = ndjson_lines_import(lines=lines, keep_ids=True)
            except NdjsonImportError as error:
                problems = "; ".join(
                    f"{lines.where(line)}: {name or 'record'}: {message}" for line, name, message in error.errors
                )
                raise DumpError(f"The dump holds invalid records: {problems}") from None
            counts = {
                "claims": summary.claims,
                "sources": summary.sources,
                "actors": summary.actors,
                "relations": _relations_create(directory),
            }
            if counts != manifest["counts"]:
                raise DumpError(f"The dump holds {counts}, where its manifest counts {manifest['counts']}.")
            _times_restore(directory)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), [model for _, model in _STAMPED]):
                    cursor.execute(statement)
    except (IntegrityError, DataError) as error:
        raise DumpError(f"The dump's records could not be written: {error}") from None
    return counts
