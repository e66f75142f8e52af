"""Read replicas: reads go to a healthy streaming standby, writes and their authors to the primary.

Settings name the replicas (``DATABASE_REPLICA_URLS``, databases ``replica_0``, ``replica_1``…).
For each request, ``ReplicaMiddleware`` picks the database that serves its reads:

- the primary for writes (any method but GET, HEAD, OPTIONS), and for clients that wrote within
  the last ``READ_YOUR_WRITES_SECONDS``: a client is known by its ``Authorization`` header or
  session cookie, remembered in the shared cache, so every app server sees the mark;
- otherwise the next replica, in turn, that accepts a connection and replays within
  ``REPLICA_MAX_LAG_SECONDS`` of the primary; the primary when none does.

A replica is tried before the view runs, so a standby that has gone away costs the request a
refused connection attempt, not an error. Outside requests (management commands, migrations)
everything uses the primary.
"""

import hashlib
import itertools
import logging
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

_read_alias: ContextVar[str] = ContextVar("read_alias", default=DEFAULT_DB_ALIAS)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Whether the server is still a standby, whether it has replayed all it received (or receives
# nothing yet), and the age of the last transaction it replayed: its lag while it is behind (an
# over-estimate while the primary is idle; NULL until it has replayed one since it started).
LAG_SQL = """
    SELECT pg_is_in_recovery(),
           COALESCE(pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), true),
           EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
"""


def read_alias() -> str:
    """The database this request reads from (the primary outside requests)."""
    return _read_alias.get()


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica_")]


class ReplicaRouter:
    """Reads where the current request's middleware sent them; writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every database holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


@dataclass
class ReplicaState:
    alias: str
    state: str  # "ok", "lagging" or "down"
    lag_seconds: float | None
    checked_at: float

    @property
    def usable(self) -> bool:
        return self.state == "ok"


class ReplicaHealth:
    """Each replica's state in this process, re-measured at most every ``REPLICA_CHECK_SECONDS``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._states: dict[str, ReplicaState] = {}
        self._caught_up_at: dict[str, float] = {}

    def measure(self, alias: str) -> ReplicaState:
        connection = connections[alias]
        now = time.monotonic()
        try:
            connection.close_if_unusable_or_obsolete()
            with connection.cursor() as cursor:
                cursor.execute(LAG_SQL)
                standby, caught_up, replayed_age = cursor.fetchone()
        except DatabaseError as error:
            logger.warning("Replica %s is unavailable: %s", alias, error)
            connection.close()
            return ReplicaState(alias, "down", None, now)
        if caught_up:
            self._caught_up_at[alias] = now
            lag = 0.0
        elif replayed_age is not None:
            lag = float(replayed_age)
        else:  # behind, and nothing replayed yet to date it by: behind since it was last seen caught up
            lag = now - self._caught_up_at.get(alias, now)
        # A promoted server no longer follows the primary: its rows may differ, so it is not read from.
        lagging = not standby or lag > settings.REPLICA_MAX_LAG_SECONDS
        return ReplicaState(alias, "lagging" if lagging else "ok", round(lag, 3), now)

    def state(self, alias: str, *, fresh: bool = False) -> ReplicaState:
        with self._lock:
            known = self._states.get(alias)
        if fresh or known is None or time.monotonic() - known.checked_at > settings.REPLICA_CHECK_SECONDS:
            known = self.measure(alias)
            with self._lock:
                self._states[alias] = known
        return known

    def connected(self, alias: str) -> bool:
        """Whether this thread's connection to the replica works now, reconnecting if it must."""
        connection = connections[alias]
        try:
            connection.close_if_unusable_or_obsolete()
            connection.ensure_connection()
            return True
        except DatabaseError:
            connection.close()
            with self._lock:
                self._states[alias] = ReplicaState(alias, "down", None, time.monotonic())
            return False


health = ReplicaHealth()
_turns = itertools.count()


def choose_read_alias() -> str:
    aliases = replica_aliases()
    if not aliases:
        return DEFAULT_DB_ALIAS
    start = next(_turns)
    for offset in range(len(aliases)):
        alias = aliases[(start + offset) % len(aliases)]
        if health.state(alias).usable and health.connected(alias):
            return alias
    return DEFAULT_DB_ALIAS


def _writer_key(request) -> str | None:
    credential = request.headers.get("Authorization") or request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not credential:
        return None
    return "read-your-writes:" + hashlib.sha256(credential.encode()).hexdigest()


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        writer = _writer_key(request)
        writing = request.method not in SAFE_METHODS
        pinned = writing or (writer is not None and cache.get(writer) is not None)
        token = _read_alias.set(DEFAULT_DB_ALIAS if pinned else choose_read_alias())
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(token)
        if writing and writer is not None and response.status_code < 400:
            cache.set(writer, True, timeout=settings.READ_YOUR_WRITES_SECONDS)
        return response
