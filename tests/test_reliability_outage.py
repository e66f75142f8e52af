"""Degrading cleanly: health probes, and a real database outage that the service survives by itself.

The test makes its own throwaway PostgreSQL cluster (scripts/database.py's local
cluster, in a temporary directory on a free port), serves gunicorn from it, stops
the cluster under the running server and starts it again. It only ever stops the
cluster it started.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.clusters import wait_until
from tests.servers import free_port, gunicorn_server

ROOT = Path(__file__).resolve().parent.parent
ERROR_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


@pytest.mark.django_db
def test_liveness_and_readiness(api_client):
    live = api_client.get("/healthz")
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    ready = api_client.get("/readyz")
    ready_body = {"status": "ready", "checks": {"database": "ok", "migrations": "ok", "replicas": []}}
    assert (ready.status_code, ready.json()) == (200, ready_body)


@pytest.mark.django_db
def test_liveness_does_not_touch_the_database(api_client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert api_client.get("/healthz").status_code == 200


class ThrowawayCluster:
    """A PostgreSQL cluster of this test's own, driven through scripts/database.py."""

    def __init__(self):
        self.parent = Path(tempfile.mkdtemp(prefix="claims-outage-"))
        self.parent.chmod(0o755)  # the postgres user must reach the data directory inside
        self.environment = {
            **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
            "LOCAL_DB_DIR": str(self.parent / "pg"),
            "LOCAL_DB_PORT": str(free_port()),
            "SYSTEM_DB_PORT": str(free_port()),  # nothing listens there: skip any system server
            "DB_NAME": "claims_outage",
        }

    def _database_py(self, command: str) -> str:
        result = subprocess.run(
            [sys.executable, "scripts/database.py", command],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def start(self) -> str:
        return self._database_py("url")

    def stop(self) -> None:
        self._database_py("stop")

    def crash(self) -> None:
        """Stop in immediate mode: no checkpoint, sessions cut off; the next start recovers from the WAL."""
        self._database_py("crash")

    def remove(self) -> None:
        if (self.parent / "pg" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.parent, ignore_errors=True)


def _manage(database_url: str, *args: str) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _assert_unavailable(response):
    assert response.status_code == 503, (response.request.url, response.status_code, response.text[:300])
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert (body["status"], body["code"]) == (503, "service_unavailable")
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.slow
def test_a_database_outage_is_a_503_and_the_service_recovers_by_itself():
    if not Path("/usr/lib/postgresql").exists() and not shutil.which("pg_ctl"):
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) to make a throwaway cluster with")
    cluster = ThrowawayCluster()
    try:
        database_url = cluster.start()
        with gunicorn_server(env={"DATABASE_URL": database_url}) as server:
            _outage_and_recovery(cluster, server, database_url)
    finally:
        cluster.remove()


def _outage_and_recovery(cluster, server, database_url) -> None:
    client = httpx.Client(base_url=server.base_url, timeout=20)

    # Before migrating: alive, not ready, and readiness says why.
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert [e["field"] for e in not_ready.json()["errors"]] == ["migrations"]

    _manage(database_url, "migrate", "--no-input")
    token = _manage(database_url, "create_curator", "outage-curator").split("API token:")[1].strip()
    curator = {"Authorization": f"Token {token}"}
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/v1/countries/", params={"page_size": 2}).status_code == 200
    assert client.get("/api/v1/actors/", headers=curator).status_code == 200

    cluster.stop()
    for _ in range(4):  # every worker and thread, with its pooled connection now broken
        _assert_unavailable(client.get("/api/v1/countries/"))
    _assert_unavailable(client.get("/api/v1/actors/", headers=curator))  # fails in authentication
    session = {"Cookie": f"sessionid={'x' * 32}"}
    _assert_unavailable(client.get("/api/v1/actors/", headers=session))  # in the session lookup
    _assert_unavailable(
        client.post("/api/v1/actors/", headers=curator, json={"slug": "outage", "name": "Outage", "kind": "other"})
    )
    admin = client.get("/admin/", headers=session)  # outside DRF: Django's own handler
    assert admin.status_code == 503 and "Retry-After" in admin.headers
    unready = client.get("/readyz")
    assert unready.status_code == 503
    assert unready.json()["errors"] == [
        {"field": "database", "in": None, "code": "unreachable", "message": "The database cannot be reached."}
    ]
    assert client.get("/healthz").status_code == 200  # alive: no reason to restart the process

    cluster.start()
    wait_until(
        lambda: client.get("/readyz").status_code == 200, timeout=30, message="readiness after the database returned"
    )
    for _ in range(8):  # every worker has reconnected, with no restart
        assert client.get("/api/v1/countries/", params={"page_size": 2}).status_code == 200
        assert client.get("/api/v1/actors/", headers=curator).status_code == 200
    after = {"slug": "after", "name": "After", "kind": "other"}
    created = client.post("/api/v1/actors/", headers=curator, json=after)
    assert created.status_code == 201, created.text
    assert server.process.poll() is None  # the same server process throughout


def _get(client, path) -> int | None:
    try:
        return client.get(path).status_code
    except httpx.HTTPError:
        return None
