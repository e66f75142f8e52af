"""Datasette as the peer of `make bench`: the same published claims, served from SQLite.

The bench's three questions go to both servers for the same five fields of each claim
(``FIELDS``): to the API with ``fields=…`` and to Datasette as SQL, over a SQLite copy
of the published claims made with sqlite-utils: the claims, the claim ↔ country links, and
the index each question needs. Both answer newest source first, 100 a page.

The search (FTS5) indexes the words the API's search matches: the lexemes PostgreSQL's
english configuration makes of each claim's summary, quote and source title (its search
vector), not the text itself. Over the text, FTS5's Porter stemmer and PostgreSQL's
Snowball one disagree on some words (Porter strips a final "ou": "pinenou" is found by
"pinen"), and the two would answer a search with different claims.
"""

import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

FIELDS = ["id", "kind", "summary", "reported_on", "location"]
BATCH = 10_000

_COLUMNS = "c.id, c.kind, c.summary, c.reported_on, c.location"
_ORDER = "ORDER BY c.reported_on DESC, c.id DESC LIMIT 100"
SQL = {
    "Q1": f"SELECT {_COLUMNS} FROM claims c WHERE c.location = :location AND c.kind = :kind {_ORDER}",
    "Q2": f"SELECT {_COLUMNS} FROM claims c WHERE c.rowid IN "
    f"(SELECT rowid FROM claims_fts WHERE claims_fts MATCH :q) {_ORDER}",
    # The country's links carry their own copy of the ordering, as the API's do.
    "Q3": f"SELECT {_COLUMNS} FROM claim_country l JOIN claims c ON c.id = l.claim_id "
    "WHERE l.country = :country AND (l.reported_on < :on OR (l.reported_on = :on AND l.claim_id < :before)) "
    "ORDER BY l.reported_on DESC, l.claim_id DESC LIMIT 100",
}


def export(pg_connection, path: Path) -> None:
    """Copy the published claims into a SQLite database at ``path`` (kept for the next run)."""
    import sqlite_utils

    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    database = sqlite_utils.Database(partial)
    # Server-side cursors, read in batches, live in a transaction (the bench's connection autocommits).
    with pg_connection.transaction(), pg_connection.cursor(name="published_claims") as cursor:
        cursor.itersize = BATCH
        cursor.execute(
            "SELECT id, kind, summary, reported_on::text, location_id, "
            "array_to_string(tsvector_to_array(search_vector), ' ') "
            "FROM claims_claim WHERE review_status = 'published'"
        )
        names = [*FIELDS, "words"]
        database["claims"].insert_all((dict(zip(names, row, strict=True)) for row in cursor), pk="id", batch_size=BATCH)
    with pg_connection.transaction(), pg_connection.cursor(name="published_links") as cursor:
        cursor.itersize = BATCH
        cursor.execute(
            "SELECT l.claim_id, l.country_id, l.reported_on::text FROM claims_claimcountry l "
            "JOIN claims_claim c ON c.id = l.claim_id WHERE c.review_status = 'published'"
        )
        database["claim_country"].insert_all(
            ({"claim_id": claim, "country": country, "reported_on": on} for claim, country, on in cursor),
            batch_size=BATCH,
        )
    # SQLite walks an ascending index backwards for the newest-first orders.
    database["claims"].create_index(["location", "kind", "reported_on", "id"])
    database["claim_country"].create_index(["country", "reported_on", "claim_id"])
    # The words are stemmed already: FTS5 only splits them.
    database["claims"].enable_fts(["words"], fts_version="FTS5", tokenize="unicode61")
    database.execute("ANALYZE")
    database.close()
    partial.rename(path)


def start(path: Path, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "datasette",
            "serve",
            "-i",
            str(path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--setting",
            "sql_time_limit_ms",
            "10000",
            "--setting",
            "num_sql_threads",
            str(os.cpu_count() or 2),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("bench: Datasette did not start")


def url(base: str, database: str, question: str, **parameters) -> str:
    query = {"sql": SQL[question], "_shape": "array", **parameters}
    return f"{base}/{database}.json?{urllib.parse.urlencode(query)}"
