from django.db import migrations

# See apps/core/data_version.py. The triggers on the project's tables are installed after
# every migrate, by apps.core.data_version.data_version_triggers_install.
CREATE = """
CREATE TABLE core_data_version (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
INSERT INTO core_data_version VALUES (1, 0);

-- One row per writing transaction, for the deferred trigger to fire on; gone at its commit.
CREATE TABLE core_data_change (txid xid8 PRIMARY KEY);

CREATE FUNCTION core_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO core_data_change VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE FUNCTION core_data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE core_data_version SET version = version + 1;
    DELETE FROM core_data_change WHERE txid = NEW.txid;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER core_data_version_bump
AFTER INSERT ON core_data_change
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION core_data_version_bump();
"""

DROP = """
DROP TABLE core_data_change;
DROP FUNCTION core_data_version_bump();
DROP FUNCTION core_data_changed() CASCADE;
DROP TABLE core_data_version;
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunSQL(CREATE, DROP)]
