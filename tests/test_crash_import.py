"""An NDJSON import killed (SIGKILL) in the middle of a file leaves nothing of it; running it again succeeds.

The import runs in a database of its own, made and dropped here, as a separate process; it is killed
once PostgreSQL shows it copying claims, after the file's actors and sources and before its end.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from apps.claims.synthetic import synthetic_corpus_write
from tests.test_fuzz_schemathesis import _admin, _server_url

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = 12_000
BATCH = 1_000  # twelve COPY batches: plenty of middle to kill it in


@pytest.fixture
def database():
    name = settings.DATABASES["default"]["NAME"].removeprefix("test_") + "_crash_import"
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _import(database: str, path: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _server_url(database), "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"}
    command = [sys.executable, "manage.py", "import_ndjson", str(path), "--batch-size", str(BATCH), "--no-progress"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _state(connection) -> dict:
    """What the import could have left behind: its rows, and the claim tables' foreign keys it drops and restores."""
    return {
        "actors": connection.execute("SELECT count(*) FROM actors_actor").fetchone()[0],
        "sources": connection.execute("SELECT count(*) FROM sources_source").fetchone()[0],
        "claims": connection.execute("SELECT count(*) FROM claims_claim").fetchone()[0],
        "anchors": connection.execute("SELECT count(*) FROM claims_quoteanchor").fetchone()[0],
        "links": connection.execute("SELECT count(*) FROM claims_claimcountry").fetchone()[0],
        "foreign_keys": connection.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text LIKE 'claims_%'"
        ).fetchone()[0],
    }


@pytest.mark.slow
def test_an_import_killed_halfway_leaves_nothing_and_reruns(database, tmp_path):
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": _server_url(database), "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    path = tmp_path / "corpus.ndjson"
    synthetic_corpus_write(path=path, claims=CLAIMS, seed=3, actors=200, sources=300, publishers=20)

    with psycopg.connect(_server_url(database), autocommit=True) as connection:
        before = _state(connection)
        process = _import(database, path)
        deadline = time.monotonic() + 240
        while True:
            # A session's last statement stays on show while it works between statements: once it is a
            # COPY, the import is writing claims batch by batch.
            copying = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND query LIKE 'COPY %'"
            ).fetchone()[0]
            if copying:
                break
            assert process.poll() is None, f"the import ended before it was killed:\n{process.stdout.read()}"
            assert time.monotonic() < deadline, "the import never reached its claims"
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        assert process.returncode == -signal.SIGKILL

        # The server ends the dead client's transaction; until then its rows are invisible anyway.
        deadline = time.monotonic() + 60
        while connection.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "the killed import's session never ended"
            time.sleep(0.1)
        assert _state(connection) == before

        rerun = _import(database, path)
        output, _ = rerun.communicate(timeout=600)
        assert rerun.returncode == 0, output
        assert f"Imported {CLAIMS} claims, 300 sources and 200 actors" in output
        after = _state(connection)
        assert (after["claims"], after["anchors"], after["sources"]) == (CLAIMS, CLAIMS, 300)
        assert after["foreign_keys"] == before["foreign_keys"]
