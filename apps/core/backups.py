"""What the backup and restore commands share: how to reach the database and what a manifest records."""

import hashlib
from pathlib import Path
from urllib.parse import quote

from django.db import connection

# The tables whose row counts a manifest records and a restore checks.
COUNTED_TABLES = (
    "claims_claim",
    "claims_quoteanchor",
    "claims_claimrelation",
    "sources_source",
    "actors_actor",
    "auth_user",
    "knox_authtoken",
)


def database_url() -> str:
    """The libpq URL of the configured database, for pg_dump and pg_restore."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgresql://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
    )


def data_version(cursor) -> dict:
    """The latest migration applied to each app, and when the last change to a claim was recorded."""
    cursor.execute("SELECT app, max(name) FROM django_migrations GROUP BY app ORDER BY app")
    migrations = dict(cursor.fetchall())
    cursor.execute("SELECT max(history_date) FROM claims_historicalclaim")
    last_change = cursor.fetchone()[0]
    return {"migrations": migrations, "last_claim_change_at": last_change.isoformat() if last_change else None}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
