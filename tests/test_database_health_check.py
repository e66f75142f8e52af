"""claims_api.postgresql: the per-request health check skips its round trip on a busy, quiet connection only."""

import select

import psycopg
import pytest
from django.db import connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrapper():
    """A persistent connection of its own, as a server worker holds one between requests."""
    database = connections.create_connection("default")
    database.ensure_connection()
    assert database.health_check_enabled  # the settings turn health checks on
    yield database
    database.close()


def _admin():
    return psycopg.connect(**connections["default"].get_connection_params(), autocommit=True)


def _last_statement(pid: int) -> str:
    with _admin() as admin:
        return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def _previous_request(database) -> int:
    with database.cursor() as cursor:
        cursor.execute("SELECT 'last request'")
    return database.connection.info.backend_pid


def _next_request(database) -> None:
    # What Django does between requests: the next request's first cursor runs the check again.
    database.health_check_done = False
    database.close_if_health_check_failed()


def test_a_busy_quiet_connection_is_reused_without_a_round_trip(wrapper):
    pid = _previous_request(wrapper)
    _next_request(wrapper)
    assert wrapper.connection is not None and wrapper.connection.info.backend_pid == pid
    assert _last_statement(pid) == "SELECT 'last request'"  # no SELECT 1 reached the server


def test_a_connection_unused_for_a_while_gets_the_full_check(wrapper):
    wrapper.quiet_check_seconds = 0  # as if the last request were long ago
    pid = _previous_request(wrapper)
    _next_request(wrapper)
    assert wrapper.connection.info.backend_pid == pid
    assert _last_statement(pid) == "SELECT 1"


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(wrapper):
    pid = _previous_request(wrapper)
    with _admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert select.select([wrapper.connection.pgconn.socket], [], [], 5)[0], "the server's goodbye never arrived"
    _next_request(wrapper)
    with wrapper.cursor() as cursor:  # no error: the dead connection was closed and a new one made
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
