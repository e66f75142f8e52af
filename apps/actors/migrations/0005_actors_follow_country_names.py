# An actor shows its country's name (its brief), so a renamed country changes the actor's
# representation: its updated_at must move, for `updated_since` to return it, however the
# country was renamed (a data migration, QuerySet.update(), SQL). The claims follow the same
# rename with a trigger of their own (claims 0017).

from django.db import migrations

FORWARD = """
CREATE FUNCTION actors_follow_country() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    renamed text[] := ARRAY(SELECT n.code FROM new_rows n JOIN old_rows o USING (code)
                            WHERE n.name IS DISTINCT FROM o.name);
BEGIN
    -- No UPDATE of no rows: it would still fire the actor table's statement triggers.
    IF cardinality(renamed) > 0 THEN
        UPDATE actors_actor SET updated_at = clock_timestamp() WHERE country_id = ANY(renamed);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER actors_follow_country AFTER UPDATE ON countries_country
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION actors_follow_country();
"""

BACKWARD = """
DROP TRIGGER actors_follow_country ON countries_country;
DROP FUNCTION actors_follow_country();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("actors", "0004_actor_actor_updated"),
        ("countries", "0002_load_iso_3166"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
