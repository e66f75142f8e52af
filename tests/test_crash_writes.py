"""No acknowledged write is lost when PostgreSQL crashes, and none is half-written when a worker dies.

Both tests run gunicorn on a throwaway PostgreSQL cluster of their own (scripts/database.py's local
cluster in a temporary directory, on a free port); they only ever stop or kill what they started.
"""

import datetime
import os
import shutil
import signal
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.clusters import wait_until
from tests.servers import gunicorn_server
from tests.test_reliability_outage import ERROR_KEYS, ThrowawayCluster, _manage

WRITERS = 8
TEXT = "Alpha reported one thing. Bravo reported another thing. Charlie said nothing at all."
QUOTES = ["Alpha reported one thing.", "Bravo reported another thing.", "Charlie said nothing at all."]

needs_server_binaries = pytest.mark.skipif(
    not Path("/usr/lib/postgresql").exists() and not shutil.which("pg_ctl"),
    reason="no PostgreSQL server binaries (initdb, pg_ctl) to make a throwaway cluster with",
)


@pytest.fixture(scope="module")
def cluster_server():
    """A migrated throwaway cluster, a curator token, a source to quote, and gunicorn serving them."""
    cluster = ThrowawayCluster()
    try:
        database_url = cluster.start()
        _manage(database_url, "migrate", "--no-input")
        token = _manage(database_url, "create_curator", "crash-curator").split("API token:")[1].strip()
        # Throttling raised above the load: every answer here is about the database, not the rate.
        with gunicorn_server(env={"DATABASE_URL": database_url, "THROTTLE_USER": "1000000/minute"}) as server:
            client = httpx.Client(base_url=server.base_url, headers={"Authorization": f"Token {token}"}, timeout=30)
            source = {
                "slug": "crash-source",
                "title": "Crash test source",
                "publisher": "Crash Gazette",
                "kind": "news",
                "text": TEXT,
                "published_on": "2024-01-02",
                "published_precision": "day",
            }
            assert client.post("/api/v1/sources/", json=source).status_code == 201
            yield cluster, server, client, database_url
    finally:
        cluster.remove()


def _claim(summary: str, quote: str) -> dict:
    return {"source": "crash-source", "kind": "other", "status": "reported", "summary": summary, "quote": quote}


class Writer(threading.Thread):
    """Creates claims and edits each once (with If-Match), recording every answer; never retries."""

    def __init__(self, label: str, client: httpx.Client, stop: threading.Event):
        super().__init__(daemon=True)
        self.label, self.client, self.stop = label, client, stop
        self.acknowledged: dict[int, str] = {}  # claim id → the summary of its last 2xx write
        self.attempted: list[str] = []  # every summary sent in a create
        self.failures: list[httpx.Response] = []
        self.transport_errors: list[str] = []

    def _send(self, method: str, url: str, **kwargs) -> httpx.Response | None:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            self.transport_errors.append(f"{method} {url}: {error!r}")
            return None
        if not response.is_success:
            self.failures.append(response)
        return response

    def run(self):
        index = 0
        while not self.stop.is_set():
            index += 1
            summary = f"{self.label} claim {index}"
            self.attempted.append(summary)
            created = self._send("POST", "/api/v1/claims/", json=_claim(summary, QUOTES[index % 3]))
            if created is None or not created.is_success:
                time.sleep(0.05)
                continue
            claim_id = created.json()["id"]
            self.acknowledged[claim_id] = summary
            edited = self._send(
                "PATCH",
                f"/api/v1/claims/{claim_id}/",
                json={"summary": f"{summary} edited", "quote": QUOTES[(index + 1) % 3]},
                headers={"If-Match": created.headers["ETag"]},
            )
            if edited is not None and edited.is_success:
                self.acknowledged[claim_id] = f"{summary} edited"


def _children(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def _stored(database_url: str) -> dict[int, tuple[str, str | None]]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT c.id, c.summary, a.exact FROM claims_claim c LEFT JOIN claims_quoteanchor a ON a.claim_id = c.id"
        ).fetchall()
    return {claim_id: (summary, exact) for claim_id, summary, exact in rows}


def _assert_consistent(writers: list[Writer], database_url: str) -> None:
    stored = _stored(database_url)
    summaries = [summary.removesuffix(" edited") for summary, _ in stored.values()]
    assert len(summaries) == len(set(summaries)), "a claim was written twice"
    # Every claim there, answered or not, is whole: its quote anchor was written (and moved by the edit)
    # in the same transaction as its summary.
    for claim_id, (summary, exact) in stored.items():
        index = int(summary.removesuffix(" edited").rsplit(" ", 1)[1])
        assert exact == QUOTES[(index + summary.endswith(" edited")) % 3], (claim_id, summary, exact)
    for writer in writers:
        for claim_id, summary in writer.acknowledged.items():
            assert claim_id in stored, f"acknowledged claim {claim_id} ({summary}) is gone"
            # An edit whose answer was lost may still have committed; an acknowledged one must be there.
            expected = (summary,) if summary.endswith(" edited") else (summary, f"{summary} edited")
            assert stored[claim_id][0] in expected, (claim_id, stored[claim_id][0], summary)


def _assert_503s(writers: list[Writer]) -> int:
    failures = [response for writer in writers for response in writer.failures]
    for response in failures:
        assert response.status_code == 503, (response.request.method, response.status_code, response.text[:300])
        assert set(response.json()) == ERROR_KEYS and response.json()["code"] == "service_unavailable"
        assert int(response.headers["Retry-After"]) >= 1
    return len(failures)


@pytest.mark.slow
@needs_server_binaries
def test_a_database_crash_under_eight_writers_loses_no_acknowledged_write(cluster_server):
    cluster, server, client, database_url = cluster_server
    stop = threading.Event()
    writers = [Writer(f"crash writer {number}", client, stop) for number in range(WRITERS)]
    for writer in writers:
        writer.start()
    wait_until(lambda: sum(len(w.acknowledged) for w in writers) >= 40, timeout=60, message="writes before the crash")
    cluster.crash()
    crashed_at = datetime.datetime.now()
    wait_until(lambda: any(w.failures for w in writers), timeout=30, message="writes refused during the outage")
    time.sleep(1)
    cluster.start()
    wait_until(lambda: client.get("/readyz").status_code == 200, timeout=60, message="readiness after the restart")
    before = sum(len(w.acknowledged) for w in writers)
    wait_until(
        lambda: sum(len(w.acknowledged) for w in writers) >= before + 40, timeout=60, message="writes after the restart"
    )
    stop.set()
    for writer in writers:
        writer.join(timeout=60)

    assert not [error for writer in writers for error in writer.transport_errors]
    assert _assert_503s(writers) > 0, f"no write was refused after the crash at {crashed_at}"
    _assert_consistent(writers, database_url)
    assert server.process.poll() is None, "gunicorn was restarted"


@pytest.mark.slow
@needs_server_binaries
def test_a_worker_killed_in_the_middle_of_writes_leaves_each_write_whole_or_absent(cluster_server):
    cluster, server, client, database_url = cluster_server
    stop = threading.Event()
    writers = [Writer(f"kill writer {number}", client, stop) for number in range(WRITERS)]
    for writer in writers:
        writer.start()
    wait_until(lambda: sum(len(w.acknowledged) for w in writers) >= 20, timeout=60, message="writes before the kill")
    # Kill a worker (not the arbiter, which starts a new one) while it is busy with writes.
    workers = _children(server.process.pid)
    assert workers, "no gunicorn worker found"
    os.kill(workers[0], signal.SIGKILL)
    before = sum(len(w.acknowledged) for w in writers)
    wait_until(
        lambda: sum(len(w.acknowledged) for w in writers) >= before + 20, timeout=60, message="writes after the kill"
    )
    stop.set()
    for writer in writers:
        writer.join(timeout=60)

    # The requests the dead worker held got no answer; every answered failure is in the error shape.
    for writer in writers:
        for response in writer.failures:
            assert response.headers["Content-Type"].startswith("application/json"), response.text[:200]
    _assert_consistent(writers, database_url)
    assert server.process.poll() is None
