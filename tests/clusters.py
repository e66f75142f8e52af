"""Throwaway PostgreSQL clusters for tests that stop, promote or replicate a server.

The shared server on 127.0.0.1:5432 is never touched: each cluster here lives in its own
directory under /tmp, listens on a free port and is stopped when its block ends.
"""

import glob
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from scripts.database import SERVER_USER, cluster_create, cluster_start, cluster_stop, run_as_server_user
from tests.servers import free_port


def server_binaries() -> Path:
    """The machine's initdb/pg_ctl; the test is skipped without them, except under CI, where it fails."""
    found = shutil.which("pg_ctl")
    candidates = [str(Path(found).resolve().parent)] if found else []
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_basebackup").exists():
            return Path(candidate)
    message = "no PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must have them")
    pytest.skip(message)


@dataclass
class Cluster:
    bindir: Path
    directory: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        cluster_start(self.bindir, self.directory, self.port)

    def stop(self, mode: str = "fast") -> None:
        cluster_stop(self.bindir, self.directory, mode)

    def promote(self) -> None:
        run_as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.directory), "-w", "promote"])

    def execute(self, statement: str, database: str = "postgres"):
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=5) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else None


@contextmanager
def _cluster_directory():
    # Not tmp_path: its parents are 0700 and root-owned, and the server runs as postgres.
    base = Path(tempfile.mkdtemp(prefix="claims-api-cluster-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _owned_by_server_user(directory: Path) -> None:
    directory.mkdir(mode=0o700)
    if os.geteuid() == 0:
        shutil.chown(directory, SERVER_USER, SERVER_USER)


@contextmanager
def primary_cluster():
    bindir = server_binaries()
    with _cluster_directory() as base:
        cluster = Cluster(bindir, base / "primary", free_port())
        _owned_by_server_user(cluster.directory)
        cluster_create(bindir, cluster.directory)
        cluster.start()
        try:
            yield cluster
        finally:
            cluster.stop("immediate")


@contextmanager
def standby_of(primary: Cluster):
    """A streaming standby made with ``pg_basebackup -R`` from a running primary."""
    with _cluster_directory() as base:
        standby = Cluster(primary.bindir, base / "standby", free_port())
        _owned_by_server_user(standby.directory)
        run_as_server_user(
            [str(primary.bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", SERVER_USER,
             "-D", str(standby.directory), "-R", "-X", "stream", "-c", "fast"]
        )  # fmt: skip
        standby.start()
        try:
            yield standby
        finally:
            standby.stop("immediate")


def wait_until(condition, *, timeout: float = 30, interval: float = 0.1, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(interval)
