"""Shared test fixtures: the real PostgreSQL test database with the curated fixtures loaded once per run."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient

from tests.servers import gunicorn_server

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as `make run` leaves it: migrated, with the curated fixtures."""
    with django_db_blocker.unblock():
        call_command("load_fixtures", verbosity=0)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def _make_curator(username: str, *, reviewer: bool = False):
    from apps.accounts.services import curator_create

    return curator_create(username=username, reviewer=reviewer)


@pytest.fixture
def uncached(settings):
    """Every request reaches its view: no answer is kept or reused by the response cache."""
    settings.RESPONSE_CACHE_SECONDS = 0


@pytest.fixture
def curator(db):
    user, _ = _make_curator("test-curator")
    return user


@pytest.fixture
def curator_client(curator) -> APIClient:
    client = APIClient()
    client.force_authenticate(curator)
    return client


@pytest.fixture
def reviewer(db):
    user, _ = _make_curator("test-reviewer", reviewer=True)
    return user


@pytest.fixture
def reviewer_client(reviewer) -> APIClient:
    client = APIClient()
    client.force_authenticate(reviewer)
    return client


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
    try:
        with gunicorn_server(env={"DATABASE_URL": database_url}, ready_path="/api/v1/claim-kinds/") as server:
            yield {"base_url": server.base_url, "token": token, "user": user, "database_url": database_url}
    finally:
        with django_db_blocker.unblock():
            user.delete()
