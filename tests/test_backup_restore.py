"""Backups that restore: `make backup` and `make restore` round-trip a database written through the API.

The source database is made here (migrated, the fixtures loaded, then written to through gunicorn), backed
up, and restored into a second, empty database; a deterministic dump of every table and sequence of both
must be equal byte for byte, and so must the API's full export of claims served from each. Both databases
are dropped afterwards.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.servers import gunicorn_server
from tests.test_fuzz_schemathesis import _admin, _server_url

ROOT = Path(__file__).resolve().parent.parent
MAKE_ENV = {"DJANGO_SETTINGS_MODULE": "claims_api.settings.test"}


def _run(database: str, *command: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, **MAKE_ENV, "DATABASE_URL": _server_url(database)}
    result = subprocess.run(list(command), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _manage(database: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run(database, sys.executable, "manage.py", *args, check=check)


def table_dump(database: str) -> bytes:
    """Every table's rows in a fixed order, and every sequence's position, as bytes."""
    out = []
    with psycopg.connect(_server_url(database)) as connection:
        tables = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        for (table,) in tables:
            out.append(f"-- {table}\n".encode())
            query = sql.SQL("COPY (SELECT * FROM {} t ORDER BY t::text) TO STDOUT").format(sql.Identifier(table))
            with connection.cursor().copy(query) as copy:
                for block in copy:
                    out.append(bytes(block))
        for name, value in connection.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY sequencename"
        ):
            out.append(f"-- sequence {name} {value}\n".encode())
    return b"".join(out)


def api_export(server, token: str) -> str:
    """Every claim (drafts too, with notes) and relation as a curator reads them, page after page."""
    client = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Token {token}"}, timeout=30)
    pages, url = [], "/api/v1/claims/?page_size=500&ordering=id"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.text
        pages.append(response.text)
        url = response.json()["next"]
    pages.append(client.get("/api/v1/claim-relations/?page_size=500").text)
    return "\n".join(pages).replace(server.base_url, "http://server")


def _served(database: str):
    return gunicorn_server(env={**MAKE_ENV, "DATABASE_URL": _server_url(database)})


@pytest.fixture
def databases():
    prefix = settings.DATABASES["default"]["NAME"].removeprefix("test_")
    names = (f"{prefix}_backup_source", f"{prefix}_backup_restored")
    for name in names:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield names
    finally:
        for name in names:
            _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.slow
def test_a_backup_restores_into_an_empty_database_exactly(databases, tmp_path):
    source, restored = databases
    _manage(source, "migrate", "--no-input")
    _manage(source, "load_fixtures")
    token = _manage(source, "create_curator", "backup-curator").stdout.split("API token:")[1].strip()
    with _served(source) as server:
        client = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Token {token}"}, timeout=30)
        created = client.post(
            "/api/v1/claims/",
            json={
                "source": "commentary-2022-01-24-russian-build-up",
                "kind": "arms_transfer",
                "status": "completed",
                "summary": "Written before the backup.",
                "subject": "united-kingdom",
                "object": "ukraine",
                "countries": ["GB", "UA"],
                "quantity": {"value": 2000, "unit": "missiles", "qualifier": "approximately"},
                "quote": "The United Kingdom sent anti-tank missiles",
                "notes": "A curator's note, «with» non-ASCII text.",
            },
        )
        assert created.status_code == 201, created.text
        patched = client.patch(f"/api/v1/claims/{created.json()['id']}/", json={"summary": "Edited before the backup."})
        assert patched.status_code == 200, patched.text
        exported = api_export(server, token)

    backup = _run(source, "make", "--no-print-directory", "backup", f"BACKUP_DIR={tmp_path}")
    dump = next(tmp_path.glob("claims_api-*.dump"))
    manifest = json.loads(dump.with_suffix(".manifest.json").read_text())
    assert manifest["file"] == dump.name and manifest["database"] == source
    with psycopg.connect(_server_url(source)) as connection:
        claims = connection.execute("SELECT count(*) FROM claims_claim").fetchone()[0]
    assert manifest["counts"]["claims_claim"] == claims and manifest["counts"]["knox_authtoken"] == 1
    assert manifest["data_version"]["migrations"]["claims"].startswith("0")
    assert str(dump) in backup.stdout

    restore = _run(restored, "make", "--no-print-directory", "restore", f"FILE={dump}")
    assert "Restored" in restore.stdout
    assert table_dump(restored) == table_dump(source)
    with _served(restored) as server:
        assert api_export(server, token) == exported

    # Restoring again into the now non-empty database is refused and changes nothing...
    before = table_dump(restored)
    again = _run(restored, "make", "--no-print-directory", "restore", f"FILE={dump}", check=False)
    assert again.returncode != 0 and "is not empty" in again.stderr
    assert table_dump(restored) == before
    # ...unless told, and a damaged file is refused before anything is touched.
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(dump.read_bytes()[:-100])
    dump.with_suffix(".manifest.json").rename(damaged.with_suffix(".manifest.json"))
    refused = _manage(restored, "restore", str(damaged), "--force", check=False)
    assert refused.returncode != 0 and "checksum" in refused.stderr
    damaged.with_suffix(".manifest.json").rename(dump.with_suffix(".manifest.json"))
    _manage(restored, "restore", str(dump), "--force")
    assert table_dump(restored) == table_dump(source)
