"""Read replicas for real: a project-local primary, a streaming standby made by pg_basebackup -R,
and gunicorn configured with DATABASE_URL and DATABASE_REPLICA_URLS."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.clusters import primary_cluster, standby_of, wait_until
from tests.servers import ROOT, gunicorn_server

pytestmark = pytest.mark.slow

DATABASE = "claims_api"
# Reads that go to a replica; the same claim list is asked for every time.
READ_PATH = "/api/v1/claims/?country=KZ"


def manage(url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"}
    env.pop("DATABASE_REPLICA_URLS", None)
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def new_token(url: str, username: str) -> str:
    code = f"from apps.accounts.services import curator_create; print(curator_create(username={username!r})[1])"
    return manage(url, "shell", "-c", code).strip().splitlines()[-1]


def request(base_url: str, path: str, *, token: str | None = None, method: str = "GET", body: dict | None = None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base_url + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def transactions(cluster) -> int:
    """Transactions the cluster has run in the claims database (counted by each server itself)."""
    rows = cluster.execute(f"SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '{DATABASE}'")
    return rows[0][0]


def served_by_standby(standby, *, at_least: int) -> None:
    # Server processes publish their counters when idle, up to about ten seconds late.
    wait_until(lambda: transactions(standby) >= at_least, timeout=20, message="the standby's transaction count")


def replayed(standby, primary) -> bool:
    (lsn,) = primary.execute("SELECT pg_current_wal_lsn()")[0]
    return standby.execute(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")[0][0]


def catch_up(standby, primary) -> None:
    """Until the standby has replayed a fresh commit: while behind, or while the primary is idle (its WAL, a
    checkpoint say, is not a transaction), lag counts from the last transaction the standby replayed."""
    primary.execute("SELECT txid_current()", DATABASE)
    wait_until(lambda: replayed(standby, primary), message="the standby to catch up")


def pause_replay(standby, primary) -> None:
    catch_up(standby, primary)
    standby.execute("SELECT pg_wal_replay_pause()")
    # Only requested: until the standby reports the pause, it may still replay what the primary writes next.
    wait_until(
        lambda: standby.execute("SELECT pg_get_wal_replay_pause_state()")[0][0] == "paused",
        message="the standby to pause",
    )


def replica_state(base_url: str) -> tuple[str, str]:
    status, ready = request(base_url, "/readyz")
    assert status == 200, ready
    (replica,) = ready["checks"]["replicas"]
    return replica["alias"], replica["state"]


NEW_CLAIM = {
    "source": "commentary-2022-01-24-russian-build-up",
    "kind": "arms_transfer",
    "status": "completed",
    "summary": "The United Kingdom sent anti-tank missiles to Ukraine.",
    "subject": "united-kingdom",
    "object": "ukraine",
    "location": "UA",
    "quote": "The United Kingdom sent anti-tank missiles",
}


def test_reads_go_to_the_standby_writes_and_their_authors_to_the_primary(tmp_path):
    with primary_cluster() as primary:
        primary.execute(f"CREATE DATABASE {DATABASE}")
        primary_url = primary.url(DATABASE)
        manage(primary_url, "migrate", "--no-input")
        manage(primary_url, "load_fixtures")
        writer, other_curator = new_token(primary_url, "writer"), new_token(primary_url, "reader")

        with standby_of(primary) as standby:
            server_env = {
                "DATABASE_URL": primary_url,
                "DATABASE_REPLICA_URLS": standby.url(DATABASE),
                "READ_YOUR_WRITES_SECONDS": "30",
                "REPLICA_MAX_LAG_SECONDS": "10",
                "REPLICA_CHECK_SECONDS": "0.2",
                # The read-your-writes mark must reach every worker: the shared cache.
                "REDIS_URL": "redis://127.0.0.1:6379/0",
                "CACHE_KEY_PREFIX": f"test-replicas-{uuid.uuid4().hex}",
            }
            with gunicorn_server(env=server_env, ready_path="/readyz") as server:
                base = server.base_url
                wait_until(lambda: replica_state(base) == ("replica_0", "ok"), message="the standby to be ready")

                # Anonymous reads are served by the standby, not the primary.
                before = transactions(standby)
                for _ in range(20):
                    status, page = request(base, READ_PATH)
                    assert status == 200 and page["results"]
                served_by_standby(standby, at_least=before + 20)

                # While the standby is paused, a write lands on the primary and its author reads it back
                # at once; another curator, reading from the standby, does not see it yet.
                pause_replay(standby, primary)
                status, created = request(base, "/api/v1/claims/", token=writer, method="POST", body=NEW_CLAIM)
                assert status == 201, created
                claim_path = f"/api/v1/claims/{created['id']}/"
                assert request(base, claim_path, token=writer)[0] == 200
                assert request(base, claim_path, token=other_curator)[0] == 404

                # Once the standby falls further behind than REPLICA_MAX_LAG_SECONDS, reads go to the primary.
                time.sleep(11)
                assert request(base, claim_path, token=other_curator)[0] == 200
                assert replica_state(base) == ("replica_0", "lagging")
                standby.execute("SELECT pg_wal_replay_resume()")
                wait_until(lambda: replayed(standby, primary), message="the standby to resume")

                # A standby that dies costs no request: reads fall back to the primary.
                standby.stop("immediate")
                for _ in range(20):
                    status, page = request(base, READ_PATH)
                    assert status == 200 and page["results"]
                status, ready = request(base, "/readyz")
                assert status == 200
                assert ready["checks"]["replicas"][0]["state"] == "down"

                # Back up, it serves reads again.
                standby.start()
                catch_up(standby, primary)
                wait_until(lambda: replica_state(base) == ("replica_0", "ok"), message="the standby to be used again")
                before = transactions(standby)
                for _ in range(20):
                    assert request(base, READ_PATH)[0] == 200
                served_by_standby(standby, at_least=before + 20)

            # Failover: the primary is lost, the standby is promoted and the service is pointed at it.
            primary.stop("immediate")
            started = time.monotonic()
            standby.promote()
            with gunicorn_server(env={"DATABASE_URL": standby.url(DATABASE)}, ready_path="/readyz") as server:
                assert request(server.base_url, claim_path, token=writer)[0] == 200, "writes made before are kept"
                after = {**NEW_CLAIM, "summary": "Written after the failover."}
                assert request(server.base_url, "/api/v1/claims/", token=writer, method="POST", body=after)[0] == 201
            assert time.monotonic() - started < 30, "documented in docs/scaling.md: back within 30 seconds"
