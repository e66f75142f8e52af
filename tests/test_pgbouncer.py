"""The API behind PgBouncer in transaction mode (Debian's pgbouncer, started here on a free port)."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from scripts.database import SERVER_USER, run_as_server_user
from tests.clusters import wait_until
from tests.servers import ROOT, free_port

pytestmark = pytest.mark.slow

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# The API's own read and write tests, run again through the pooler.
API_TESTS = ["tests/test_api_reading.py", "tests/test_api_writes.py"]


def require_pgbouncer() -> None:
    if not Path(PGBOUNCER).exists():
        message = "PgBouncer is not installed (apt-get install pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI installs it")
        pytest.skip(message)


@contextmanager
def _running(directory: Path, url: str):
    """PgBouncer on ``directory``'s pgbouncer.ini until the block ends, from when ``url`` accepts a connection;
    the directory is removed afterwards."""
    if os.geteuid() == 0:
        shutil.chown(directory, SERVER_USER)  # PgBouncer refuses to run as root: it runs as the server's user
    try:
        run_as_server_user([PGBOUNCER, "-d", str(directory / "pgbouncer.ini")])
        try:
            wait_until(lambda: _accepts(url), timeout=15, interval=0.2, message="PgBouncer")
        except AssertionError as error:  # its log says why, and goes with the directory
            raise AssertionError(f"{error}:\n{(directory / 'pgbouncer.log').read_text()}") from None
        yield
    finally:
        pid_file = directory / "pgbouncer.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
            time.sleep(0.5)
        shutil.rmtree(directory, ignore_errors=True)


def _accepts(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


@contextmanager
def pgbouncer(server_host: str, server_port: int):
    """PgBouncer in transaction mode in front of the server; every database name passes through."""
    require_pgbouncer()
    directory = Path(tempfile.mkdtemp(prefix="claims-api-pgbouncer-", dir="/tmp"))
    directory.chmod(0o755)
    port = free_port()
    (directory / "users.txt").write_text('"postgres" ""\n')
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
* = host={server_host} port={server_port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory}/users.txt
pool_mode = transaction
default_pool_size = 10
max_client_conn = 200
ignore_startup_parameters = extra_float_digits,options
logfile = {directory}/pgbouncer.log
pidfile = {directory}/pgbouncer.pid
"""
    )
    with _running(directory, f"postgres://postgres@127.0.0.1:{port}/postgres"):
        yield port


def test_the_api_tests_pass_through_pgbouncer_in_transaction_mode(db):
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)
    name = f"claims_api_pgbouncer_{os.getpid()}"
    direct = f"postgres://postgres@{host}:{port}/postgres"
    try:
        with pgbouncer(host, port) as pooler_port:
            env = {
                **os.environ,
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pooler_port}/{name}",
                "DATABASE_TRANSACTION_POOLING": "true",
            }
            # --reuse-db: Django would drop the test database at the end, while PgBouncer still holds
            # its server connections; it is dropped below, directly, once PgBouncer has stopped.
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--reuse-db", *API_TESTS],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
            assert " passed" in run.stdout
    finally:
        with psycopg.connect(direct, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(f"test_{name}")))


def test_the_compose_pgbouncer_configuration_pools_in_transaction_mode(db):
    """docker/pgbouncer's files, as the container reads them, with only its addresses moved here."""
    require_pgbouncer()
    settings = connection.settings_dict
    directory = Path(tempfile.mkdtemp(prefix="claims-api-pgbouncer-", dir="/tmp"))
    directory.chmod(0o755)
    port = free_port()
    config = (ROOT / "docker" / "pgbouncer" / "pgbouncer.ini").read_text()
    config = config.replace("host=db port=5432 dbname=claims_api", f"host=127.0.0.1 port={settings['PORT'] or 5432} "
                            f"dbname={settings['NAME']}")  # fmt: skip
    config = config.replace("listen_addr = 0.0.0.0", "listen_addr = 127.0.0.1").replace("6432", str(port))
    config = config.replace("/etc/pgbouncer/userlist.txt", str(directory / "userlist.txt"))
    config += f"unix_socket_dir =\nlogfile = {directory}/pgbouncer.log\npidfile = {directory}/pgbouncer.pid\n"
    (directory / "pgbouncer.ini").write_text(config)
    shutil.copy(ROOT / "docker" / "pgbouncer" / "userlist.txt", directory / "userlist.txt")
    url = f"postgres://postgres:postgres@127.0.0.1:{port}/claims_api"
    with _running(directory, url):
        with psycopg.connect(url, connect_timeout=2) as conn:
            assert conn.execute("SELECT count(*) FROM claims_claim").fetchone()[0] > 0
        admin = f"postgres://postgres:postgres@127.0.0.1:{port}/pgbouncer"
        # The admin console speaks the simple query protocol only.
        with psycopg.connect(admin, autocommit=True, prepare_threshold=None) as conn:
            rows = conn.execute("SHOW POOLS").fetchall()
        assert any(row[0] == "claims_api" and row[-1] == "transaction" for row in rows), rows
