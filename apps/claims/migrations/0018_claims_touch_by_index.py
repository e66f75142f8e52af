# claims_touch leaves out the claims its transaction created. It asked whether each id was NOT IN
# the transaction's created claims: PostgreSQL read that list again for every id unless it chose to
# hash it, so a transaction writing many claims (an import of a million adds its quotes and country
# links 5,000 at a time) paid for each batch in proportion to every claim written before it. Asked
# as NOT EXISTS, an anti-join, the planner can answer each id with one probe of
# claims_change_pending's primary key (txid, claim_id).

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION claims_touch(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- Never an UPDATE of no rows: its statement trigger would call back here, without end.
    IF cardinality(ids) > 0 THEN
        UPDATE claims_claim c SET updated_at = clock_timestamp()
        WHERE c.id = ANY(ids) AND NOT EXISTS (
            SELECT FROM claims_change_pending p
            WHERE p.txid = pg_current_xact_id() AND p.claim_id = c.id AND p.created);
    END IF;
END
$$;
"""

class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0017_claims_follow_country_names"),
    ]

    # Going back keeps this definition: the one it replaced (0014) finds the same claims, as neither list
    # can hold a null id.
    operations = [migrations.RunSQL(FUNCTION, migrations.RunSQL.noop)]
