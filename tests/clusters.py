"""Throwaway PostgreSQL clusters for tests that stop, promote or replicate a server.

The shared server on 127.0.0.1:5432 is never touched: each cluster here lives in its own
directory under /tmp, listens on a free port and is stopped when its block ends.
"""

import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.servers import free_port

SERVER_USER = "postgres"


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


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *command] if os.geteuid() == 0 else command


def run_as_server_user(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{command[0]} failed: {result.stderr or result.stdout}"


@dataclass
class Cluster:
    bindir: Path
    directory: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgres://{SERVER_USER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.directory}"
        run_as_server_user(
            [str(self.bindir / "pg_ctl"), "-D", str(self.directory), "-l", str(self.directory / "server.log"),
             "-w", "-t", "60", "-o", options, "start"]
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        if (self.directory / "postmaster.pid").exists():
            run_as_server_user([str(self.bindir / "pg_ctl"), "-D", str(self.directory), "-m", mode, "-w", "stop"])

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
        run_as_server_user(
            [str(bindir / "initdb"), "-D", str(cluster.directory), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8"]
        )
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
