"""Django's PostgreSQL backend, with a health check that costs no round trip while the connection is quiet.

With ``CONN_HEALTH_CHECKS``, Django runs ``SELECT 1`` on a persistent connection before the
first query of every request: a round trip that cost about 0.4 ms of a 6 ms claim list page.
A server that goes away (restart, failover, ``pg_terminate_backend``) tells an idle client so
by sending an error and closing the socket, which makes the socket readable; a healthy, idle
connection receives nothing. So the socket is polled first, without waiting, and only a
connection with something unexpected to read, or not idle, gets Django's full check.
"""

import select

import psycopg
from django.db.backends.postgresql import base
from psycopg.pq import ConnStatus, TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def _quiet_and_idle(self) -> bool:
        pgconn = self.connection.pgconn
        if pgconn.status != ConnStatus.OK or pgconn.transaction_status != TransactionStatus.IDLE:
            return False
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError, psycopg.Error):
            return False
        return not readable

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and self.health_check_enabled
            and not self.health_check_done
            and not self.pool
            and self._quiet_and_idle()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()
