"""The data version: a number the database moves on at the commit of every transaction that
changes the project's data, however it changes it (the API, the admin, a command,
``QuerySet.update()``, raw SQL).

Every table of the project's apps has a statement-level trigger (installed after each
``migrate``, so new tables are covered without a migration of their own) that marks the
transaction as a writer; the counter itself is bumped once, by a deferred trigger, while the
transaction commits. So its row is locked only for the commit, and a reader sees the new
version and the new data together, never one without the other.
"""

from django.apps import apps
from django.db import connection, connections

from claims_api.replicas import read_alias

_INSTALL_TRIGGER = """
CREATE OR REPLACE TRIGGER core_data_changed
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION core_data_changed()
"""


def _project_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model.__module__.startswith("apps.") and model._meta.managed and not model._meta.proxy
        }
    )


def data_version_triggers_install(*, using: str = "default", **kwargs) -> None:
    """Give every table of the project's apps the trigger that marks a transaction as a writer."""
    if using != connection.alias:
        return
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in _project_tables():
            if table in existing:
                cursor.execute(_INSTALL_TRIGGER.format(table=connection.ops.quote_name(table)))


def data_version() -> int | None:
    """The version of the data this request reads, or None when its transaction has written and not
    committed (it then sees data that no version names yet). Read from the database the request
    reads from (a replica may be behind the primary), so the version always names the data read."""
    with connections[read_alias()].cursor() as cursor:
        cursor.execute("SELECT version, pg_current_xact_id_if_assigned() IS NULL FROM core_data_version")
        version, clean = cursor.fetchone()
    return version if clean else None
