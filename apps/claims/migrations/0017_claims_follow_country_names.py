# A claim shows the name of every country it involves (its location, its countries, its
# subject's and object's countries: its country links, claims_claimcountry). Migration 0014
# touched only the claims whose location or listed countries a renamed country was, so a claim
# involving it through an actor changed its JSON without its updated_at moving. The country
# table's trigger now calls a function of its own that touches every claim linked to a renamed
# country; the country branch of claims_follow_embedded is no longer reached.

from django.db import migrations

FORWARD = """
CREATE FUNCTION claims_follow_country() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM claims_touch(ARRAY(
        SELECT DISTINCT l.claim_id FROM claims_claimcountry l
        WHERE l.country_id IN (SELECT n.code FROM new_rows n JOIN old_rows o USING (code)
                               WHERE n.name IS DISTINCT FROM o.name)));
    RETURN NULL;
END
$$;

DROP TRIGGER claims_follow_countries_country_update ON countries_country;
CREATE TRIGGER claims_follow_countries_country_update AFTER UPDATE ON countries_country
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_follow_country();
"""

BACKWARD = """
DROP TRIGGER claims_follow_countries_country_update ON countries_country;
CREATE TRIGGER claims_follow_countries_country_update AFTER UPDATE ON countries_country
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION claims_follow_embedded();
DROP FUNCTION claims_follow_country();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0016_claimrelation_relation_updated"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
