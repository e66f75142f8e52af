"""Claims as files: NDJSON (the API's representation), flat CSV and JSON-LD, streamed.

Every format renders each claim from one place, ``ClaimRenderer`` (the API's
representation, as ``ClaimSerializer`` declares it): NDJSON is its output line by
line, and the CSV columns and the JSON-LD nodes are read from that output, so a field
means the same thing in every format. Claims are read through a server-side cursor and
rendered in chunks of ``CHUNK_SIZE``: memory stays constant whatever the size of the
export, and each chunk costs the same few queries.
"""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
from django.db import connection, transaction

from apps.sources.models import Source

CHUNK_SIZE = 500
# The first chunk is smaller, so that the first bytes leave within a fraction of a second.
FIRST_CHUNK_SIZE = 50


@contextmanager
def consistent_snapshot():
    """Read everything from one snapshot of the database, however long the export takes.

    Outside any transaction this is a read-only REPEATABLE READ transaction: a claim
    edited while the export streams is exported as it was when it began.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def in_chunks(items: Iterable) -> Iterator[list]:
    """``items`` in lists of ``CHUNK_SIZE``, the first of ``FIRST_CHUNK_SIZE``."""
    chunk, size = [], min(FIRST_CHUNK_SIZE, CHUNK_SIZE)
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk, size = [], CHUNK_SIZE
    if chunk:
        yield chunk


def claims_in_chunks(ids, load: Callable[[list[int]], Iterable]) -> Iterator[list]:
    """The objects of the ordered id queryset ``ids``, in its order, loaded ``CHUNK_SIZE`` at a time by ``load``."""
    for chunk in in_chunks(ids.iterator(chunk_size=CHUNK_SIZE * 4)):
        yield _in_order(chunk, load(chunk))


def _in_order(ids: list[int], claims: Iterable) -> list:
    by_id = {claim.pk: claim for claim in claims}
    return [by_id[claim_id] for claim_id in ids if claim_id in by_id]


# NDJSON ---------------------------------------------------------------------------------------

NDJSON_CONTENT_TYPE = "application/x-ndjson"


def ndjson_line(data: dict) -> bytes:
    return orjson.dumps(data) + b"\n"


# CSV ------------------------------------------------------------------------------------------

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def _slug(actor: dict | None) -> str | None:
    return actor["slug"] if actor else None


def _quantity(name: str):
    return lambda data: (data["quantity"] or {}).get(name)


def _anchor(name: str):
    return lambda data: (data["anchor"] or {}).get(name)


@dataclass(frozen=True)
class CsvColumn:
    name: str
    description: str
    value: Callable[[dict], object]


CSV_COLUMNS = [
    CsvColumn("id", "The claim's id.", lambda d: d["id"]),
    CsvColumn("url", "The claim in the API.", lambda d: d["url"]),
    CsvColumn("kind", "Claim kind (see /api/v1/claim-kinds/).", lambda d: d["kind"]),
    CsvColumn("status", "What kind of act or state the claim reports.", lambda d: d["status"]),
    CsvColumn(
        "stance",
        "How the source puts it: stated, attributed, assessment, prediction, hedged or doubted.",
        lambda d: d["stance"],
    ),
    CsvColumn("summary", "The claim in one sentence.", lambda d: d["summary"]),
    CsvColumn("subject", "Slug of the actor who acts or is described.", lambda d: _slug(d["subject"])),
    CsvColumn("object", "Slug of the actor acted upon or addressed.", lambda d: _slug(d["object"])),
    CsvColumn("claimant", "Slug of who asserts it, when not the source itself.", lambda d: _slug(d["claimant"])),
    CsvColumn("location", "Alpha-2 code of the country where it happens.", lambda d: (d["location"] or {}).get("code")),
    CsvColumn(
        "countries",
        "Alpha-2 codes of every country involved, joined with ';'.",
        lambda d: ";".join(country["code"] for country in d["countries"]),
    ),
    CsvColumn("quantity_value", "The figure as stated.", _quantity("value")),
    CsvColumn("quantity_lower", "Inclusive lower bound; empty when unbounded.", _quantity("lower")),
    CsvColumn("quantity_upper", "Inclusive upper bound; empty when unbounded.", _quantity("upper")),
    CsvColumn("quantity_qualifier", "exact, approximately, more_than, …", _quantity("qualifier")),
    CsvColumn("quantity_unit", "What is counted or measured.", _quantity("unit")),
    CsvColumn("quantity_text", "The raw wording of the amount.", _quantity("text")),
    CsvColumn("trend", "growing or shrinking, as the source says; empty when it does not say.", lambda d: d["trend"]),
    CsvColumn("valid_from", "When the claimed situation starts (ISO date).", lambda d: d["valid_from"]),
    CsvColumn("valid_from_precision", "year, month or day.", lambda d: d["valid_from_precision"]),
    CsvColumn("valid_to", "When it ends (ISO date); empty when open or a single date.", lambda d: d["valid_to"]),
    CsvColumn("valid_to_precision", "year, month or day.", lambda d: d["valid_to_precision"]),
    CsvColumn("source", "Slug of the source document.", lambda d: d["source"]["slug"]),
    CsvColumn("source_published_on", "The source's publication date.", lambda d: d["source"]["published_on"]),
    CsvColumn("reported_on", "When the claim was reported: the source's date.", lambda d: d["reported_on"]),
    CsvColumn("quote", "The verbatim passage of the source.", _anchor("exact")),
    CsvColumn("quote_start", "Offset of its first character in the source's stored text.", _anchor("start")),
    CsvColumn("quote_end", "Offset just past its last character.", _anchor("end")),
    CsvColumn("review_status", "draft, reviewed, published or rejected.", lambda d: d["review_status"]),
    CsvColumn("confidence", "The curator's confidence.", lambda d: d["confidence"]),
    CsvColumn("created_at", "When the record was created (UTC).", lambda d: d["created_at"]),
    CsvColumn("updated_at", "When the record last changed (UTC).", lambda d: d["updated_at"]),
]


class CsvWriter:
    """CSV lines as bytes, one call per line, so that nothing accumulates; ``header``/``row`` for claims."""

    def __init__(self):
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, lineterminator="\r\n")

    def line(self, cells) -> bytes:
        self._writer.writerow(cells)
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return text.encode("utf-8")

    def header(self) -> bytes:
        return self.line([column.name for column in CSV_COLUMNS])

    def row(self, data: dict) -> bytes:
        return self.line(["" if (value := column.value(data)) is None else value for column in CSV_COLUMNS])


# JSON-LD --------------------------------------------------------------------------------------

JSONLD_CONTENT_TYPE = "application/ld+json"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"

# Inline, so that a JSON-LD processor needs no network: schema.org for the claim and its
# appearance, the W3C Web Annotation vocabulary (with its own term names) for the quote.
JSONLD_CONTEXT = {
    "schema": SCHEMA,
    "oa": OA,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "Claim": "schema:Claim",
    "CreativeWork": "schema:CreativeWork",
    "Person": "schema:Person",
    "Organization": "schema:Organization",
    "Country": "schema:Country",
    "identifier": "schema:identifier",
    "name": "schema:name",
    "text": "schema:text",
    "url": {"@id": "schema:url", "@type": "@id"},
    "appearance": "schema:appearance",
    "author": "schema:author",
    "publisher": "schema:publisher",
    "about": "schema:about",
    "spatialCoverage": "schema:spatialCoverage",
    "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"},
    "dateCreated": {"@id": "schema:dateCreated", "@type": "schema:DateTime"},
    "dateModified": {"@id": "schema:dateModified", "@type": "schema:DateTime"},
    "Annotation": "oa:Annotation",
    "TextQuoteSelector": "oa:TextQuoteSelector",
    "TextPositionSelector": "oa:TextPositionSelector",
    # The annotation whose body is this claim: the passage the claim is read from.
    "annotation": {"@reverse": "oa:hasBody"},
    "target": "oa:hasTarget",
    "source": {"@id": "oa:hasSource", "@type": "@id"},
    "selector": {"@id": "oa:hasSelector", "@container": "@set"},
    "exact": "oa:exact",
    "prefix": "oa:prefix",
    "suffix": "oa:suffix",
    "start": {"@id": "oa:start", "@type": "xsd:nonNegativeInteger"},
    "end": {"@id": "oa:end", "@type": "xsd:nonNegativeInteger"},
}


def _agent(actor: dict) -> dict:
    return {
        "@id": actor["url"],
        "@type": "Person" if actor["kind"] == "person" else "Organization",
        "name": actor["name"],
    }


class SourceDocumentUrls(dict):
    """Each source's own address (the document's url, not the API's), by source id, read once per source."""

    def loaded_for(self, chunk: list[dict]) -> list[dict]:
        """The claims of ``chunk``, once the addresses of their sources are known (one query)."""
        missing = {data["source"]["id"] for data in chunk} - self.keys()
        self.update(Source.objects.filter(pk__in=missing).values_list("id", "url"))
        return chunk


def jsonld_node(data: dict, source_document_url: str) -> dict:
    """A schema.org Claim for one claim's API representation, its quote a Web Annotation on the source."""
    source = data["source"]
    authors = [{"@type": "Person", "name": name} for name in source["authors"]]
    publisher = {"@type": "Organization", "name": source["publisher"]} if source["publisher"] else None
    appearance = {
        "@id": source["url"],
        "@type": "CreativeWork",
        "name": source["title"],
        "author": authors,
        "publisher": publisher,
        "datePublished": source["published_on"],
        "url": source_document_url or None,
    }
    node = {
        "@id": data["url"],
        "@type": "Claim",
        "identifier": data["id"],
        "text": data["summary"],
        "appearance": {key: value for key, value in appearance.items() if value not in (None, [])},
        # The claimant asserts it; otherwise the source speaks, in its authors' voice or its publisher's.
        "author": _agent(data["claimant"]) if data["claimant"] else (authors or publisher),
        "datePublished": data["reported_on"],
        "dateCreated": data["created_at"],
        "dateModified": data["updated_at"],
        "about": [_agent(actor) for actor in (data["subject"], data["object"]) if actor],
        "spatialCoverage": (
            {"@id": data["location"]["url"], "@type": "Country", "name": data["location"]["name"]}
            if data["location"]
            else None
        ),
    }
    anchor = data["anchor"]
    if anchor:
        node["annotation"] = {
            "@type": "Annotation",
            "target": {
                "source": source["url"],
                "selector": [
                    {
                        "@type": "TextQuoteSelector",
                        "exact": anchor["exact"],
                        "prefix": anchor["prefix"],
                        "suffix": anchor["suffix"],
                    },
                    {"@type": "TextPositionSelector", "start": anchor["start"], "end": anchor["end"]},
                ],
            },
        }
    return {key: value for key, value in node.items() if value not in (None, [])}


def jsonld_document(nodes: Iterable[dict]) -> Iterator[bytes]:
    """One JSON-LD document, ``{"@context": …, "@graph": [...]}``, written a node at a time."""
    yield b'{"@context":' + orjson.dumps(JSONLD_CONTEXT) + b',"@graph":['
    separator = b""
    for node in nodes:
        yield separator + orjson.dumps(node)
        separator = b",\n"
    yield b"]}\n"
