"""Shared test fixtures: the real PostgreSQL test database with the curated fixtures loaded once per run."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as `make run` leaves it: migrated, with the curated fixtures."""
    with django_db_blocker.unblock():
        call_command("load_fixtures", verbosity=0)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def _make_curator(username: str):
    from apps.accounts.services import curator_create

    return curator_create(username=username)


@pytest.fixture
def curator(db):
    user, _ = _make_curator("test-curator")
    return user


@pytest.fixture
def curator_client(curator) -> APIClient:
    client = APIClient()
    client.force_authenticate(curator)
    return client


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return (
        f"postgres://{user}{password}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )


@pytest.fixture(scope="session")
def live_api(django_db_setup, django_db_blocker):
    """A real gunicorn server on the test database, and a committed curator token for it.

    Tests that write through it must remove what they create: the data is shared
    with the rest of the session.
    """
    with django_db_blocker.unblock():
        user, token = _make_curator("live-curator")
        database_url = _test_database_url()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "claims_api.settings.test"}
    # The server's log goes to a file: an unread pipe would fill up and freeze it.
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "claims_api.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "2",
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=claims_api.settings.test",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/v1/claim-kinds/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                log.seek(0)
                raise RuntimeError(f"the API server did not start:\n{log.read().decode()}") from None
            time.sleep(0.2)
    try:
        yield {"base_url": base, "token": token, "user": user}
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        with django_db_blocker.unblock():
            user.delete()
