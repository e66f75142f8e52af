"""A bounded soak: 16 clients mixing anonymous reads, searches and curator writes against gunicorn.

Zero 5xx answers, zero lost updates (writers increment counters with If-Match and retry on 412; each
counter ends at exactly the number of increments acknowledged), and every worker's memory flat
within 20 % after the warm-up. SOAK_SECONDS sets the length (default 20 s in `make test`; at most
300); the figures are printed and saved to artifacts/soak.json (docs/benchmarks.md records a run).
"""

import json
import os
import random
import statistics
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from tests.servers import gunicorn_server

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 16
SECONDS = min(float(os.environ.get("SOAK_SECONDS", "20")), 300)
COUNTERS = 4
WORDS = ["troops", "sanctions", "NATO", "Ukraine", "missiles", "border", "gas", "exercise", "Kazakhstan", "Crimea"]
KINDS = ["troop_deployment", "sanctions", "recognition", "military_exercise", "energy_measure"]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")


def _workers(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return sorted(children)


@pytest.fixture
def soak_server(django_db_setup, django_db_blocker):
    """gunicorn on the test database, a committed curator token and counter claims; all removed afterwards."""
    from apps.accounts.services import curator_create
    from apps.claims.models import Claim
    from tests.conftest import _test_database_url

    with django_db_blocker.unblock():
        user, token = curator_create(username="soak-curator")
    try:
        with gunicorn_server(env={"DATABASE_URL": _test_database_url()}, ready_path="/readyz") as server:
            yield server, token
    finally:
        with django_db_blocker.unblock():
            Claim.objects.filter(summary__startswith="soak counter").delete()
            user.delete()


class Client(threading.Thread):
    def __init__(self, number: int, base_url: str, token: str, counters: list[int], stop: threading.Event):
        super().__init__(daemon=True)
        self.random = random.Random(number)
        # A kept-alive connection the server closes (gunicorn, after 2 s idle) just as the client sends on
        # it is reset: HTTP/1.1's race, not the server's failure. Clients close idle connections sooner, as
        # a proxy in front of gunicorn must; any reset left is then counted as an error.
        limits = httpx.Limits(keepalive_expiry=1.0)
        self.anonymous = httpx.Client(base_url=base_url, timeout=30, limits=limits)
        self.curator = httpx.Client(
            base_url=base_url, timeout=30, limits=limits, headers={"Authorization": f"Token {token}"}
        )
        self.counters, self.stop = counters, stop
        self.latencies: dict[str, list[float]] = {"read": [], "search": [], "write": []}
        self.statuses: list[tuple[str, int, str]] = []
        self.increments: dict[int, int] = {}
        self.retries = 0
        # Requests that got no HTTP answer at all (a reset or closed connection, a timeout): each is a failure.
        self.transport_errors: list[str] = []
        self.crash: BaseException | None = None

    def _timed(self, kind: str, client: httpx.Client, method: str, url: str, **kwargs) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = client.request(method, url, **kwargs)
        except httpx.TransportError as error:
            self.transport_errors.append(f"{method} {url}: {type(error).__name__}: {error}")
            return None
        self.latencies[kind].append(time.perf_counter() - started)
        self.statuses.append((kind, response.status_code, f"{method} {url}"))
        return response

    def _increment(self, claim_id: int) -> None:
        while True:
            read = self._timed("write", self.curator, "GET", f"/api/v1/claims/{claim_id}/")
            if read is None or read.status_code != 200:
                return
            value = int(read.json()["summary"].rsplit(" ", 1)[1])
            written = self._timed(
                "write",
                self.curator,
                "PATCH",
                f"/api/v1/claims/{claim_id}/",
                json={"summary": f"soak counter {claim_id} {value + 1}"},
                headers={"If-Match": read.headers["ETag"]},
            )
            if written is None or written.status_code != 412:
                break
            self.retries += 1
        if written is not None and written.is_success:
            self.increments[claim_id] = self.increments.get(claim_id, 0) + 1

    def run(self):
        try:
            self._run()
        except BaseException as error:  # a client that stops early would hide its share of the load
            self.crash = error

    def _run(self):
        while not self.stop.is_set():
            draw = self.random.random()
            if draw < 0.5:
                query = {"kind": self.random.choice(KINDS), "page_size": self.random.choice([10, 50, 100])}
                self._timed("read", self.anonymous, "GET", "/api/v1/claims/", params=query)
            elif draw < 0.75:
                query = {"search": self.random.choice(WORDS), "page_size": 20}
                self._timed("search", self.anonymous, "GET", "/api/v1/claims/", params=query)
            else:
                self._increment(self.random.choice(self.counters))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


@pytest.mark.slow
def test_sixteen_clients_get_no_5xx_lose_no_update_and_workers_stay_flat(soak_server):
    server, token = soak_server
    curator = httpx.Client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Token {token}"})
    counters = []
    for number in range(COUNTERS):
        created = curator.post(
            "/api/v1/claims/",
            json={
                "source": "commentary-2022-01-24-russian-build-up",
                "kind": "other",
                "status": "reported",
                "summary": f"soak counter {number} 0",
                "quote": "The United Kingdom sent anti-tank missiles",
            },
        )
        assert created.status_code == 201, created.text
        claim_id = created.json()["id"]
        curator.patch(f"/api/v1/claims/{claim_id}/", json={"summary": f"soak counter {claim_id} 0"})
        counters.append(claim_id)

    workers = _workers(server.process.pid)
    assert len(workers) == 2
    stop = threading.Event()
    clients = [Client(number, server.base_url, token, counters, stop) for number in range(CLIENTS)]
    started = time.monotonic()
    for client in clients:
        client.start()
    time.sleep(SECONDS / 4)  # warm-up: imports, caches and connection pools fill
    warm = {pid: _rss_kib(pid) for pid in workers}
    time.sleep(SECONDS * 3 / 4)
    end = {pid: _rss_kib(pid) for pid in workers}
    stop.set()
    for client in clients:
        client.join(timeout=60)
    elapsed = time.monotonic() - started

    assert not [client for client in clients if client.is_alive()], "a client did not finish"
    crashes = [repr(client.crash) for client in clients if client.crash is not None]
    assert not crashes, crashes
    transport_errors = [error for client in clients for error in client.transport_errors]
    assert not transport_errors, transport_errors[:10]
    statuses = [status for client in clients for status in client.statuses]
    server_errors = [status for status in statuses if status[1] >= 500]
    assert not server_errors, server_errors[:10]
    unexpected = [status for status in statuses if status[1] not in (200, 412)]
    assert not unexpected, unexpected[:10]
    for claim_id in counters:
        acknowledged = sum(client.increments.get(claim_id, 0) for client in clients)
        stored = int(curator.get(f"/api/v1/claims/{claim_id}/").json()["summary"].rsplit(" ", 1)[1])
        assert stored == acknowledged, f"claim {claim_id}: {acknowledged} increments acknowledged, {stored} stored"
    assert _workers(server.process.pid) == workers, "a worker was restarted"
    for pid in workers:
        assert end[pid] <= warm[pid] * 1.2, f"worker {pid} grew from {warm[pid]} KiB to {end[pid]} KiB"

    latencies = {kind: [v for c in clients for v in c.latencies[kind]] for kind in ("read", "search", "write")}
    figures = {
        "seconds": round(elapsed, 1),
        "clients": CLIENTS,
        "requests": len(statuses),
        "requests_per_second": round(len(statuses) / elapsed, 1),
        "increments": sum(sum(c.increments.values()) for c in clients),
        "412_retries": sum(c.retries for c in clients),
        "latency_ms": {
            kind: {
                "count": len(values),
                "p50": round(statistics.median(values) * 1000, 1) if values else None,
                "p99": round(_percentile(values, 0.99) * 1000, 1),
            }
            for kind, values in latencies.items()
        },
        "worker_rss_kib": {"after_warm_up": list(warm.values()), "end": list(end.values())},
        "database": settings.DATABASES["default"]["NAME"],
    }
    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    (artifacts / "soak.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(f"\nsoak: {json.dumps(figures)}")
