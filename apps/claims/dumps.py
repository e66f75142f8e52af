"""Database dumps: claims, sources (with their text), actors and relations as gzipped NDJSON and CSV.

Each record is the API's representation, rendered by the API's own views and
serializers (their querysets, visibility and fields), so a dump holds what the
API serves. ``manifest.json`` lists every file with its record count, size and
SHA-256, the API version, when it was written, and a data version that is the
same for the same data (a hash of the files' hashes). Files are written in id
order from one snapshot, and gzipped without a timestamp: dumping unchanged data
again gives the same bytes.
"""

import datetime
import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from rest_framework.request import Request

from apps.actors.api.views import ActorViewSet
from apps.claims import exports
from apps.claims.api.views import ClaimRelationViewSet, ClaimViewSet
from apps.sources.api.views import SourceViewSet


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
        "data_version": hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest(),
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "base_url": base_url,
        "scope": "everything" if everything else "published",
        "counts": counts,
        "files": files,
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
