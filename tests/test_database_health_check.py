"""claims_api.postgresql: the per-request health check skips its round trip on a quiet connection only."""

import time

import psycopg
import pytest
from django.db import connections

pytestmark = pytest.mark.django_db


@pytest.fixture
def wrapper():
    """A persistent connection of its own, as a server worker holds one between requests."""
    database = connections.create_connection("default")
    database.settings_dict["CONN_HEALTH_CHECKS"] = True
    database.health_check_enabled = True
    yield database
    database.close()


def _admin():
    return psycopg.connect(**connections["default"].get_connection_params(), autocommit=True)


def _last_statement(pid: int) -> str:
    with _admin() as admin:
        return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def _new_request(database) -> None:
    # What Django does between requests: the next cursor runs the health check again.
    database.health_check_done = False


def test_a_quiet_idle_connection_is_reused_without_a_round_trip(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 'last request'")
    pid = wrapper.connection.info.backend_pid
    _new_request(wrapper)
    wrapper.close_if_health_check_failed()
    assert wrapper.connection is not None and wrapper.connection.info.backend_pid == pid
    assert _last_statement(pid) == "SELECT 'last request'"  # no SELECT 1 reached the server


def test_a_connection_the_server_ended_is_replaced_before_the_request_uses_it(wrapper):
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
    pid = wrapper.connection.info.backend_pid
    with _admin() as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    time.sleep(0.2)  # the server's goodbye reaches the socket
    _new_request(wrapper)
    with wrapper.cursor() as cursor:  # no error: the dead connection was closed and a new one made
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
