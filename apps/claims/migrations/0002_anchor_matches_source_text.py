from django.db import migrations

# A quote anchor must be exactly the text between its offsets in the claim's
# source. The check spans three tables, so it is a trigger, not a CHECK.
CREATE = """
CREATE FUNCTION claims_anchor_matches_source_text() RETURNS trigger AS $$
DECLARE
    stored text;
BEGIN
    SELECT s.text INTO stored
    FROM claims_claim c JOIN sources_source s ON s.id = c.source_id
    WHERE c.id = NEW.claim_id;
    IF NEW."end" > char_length(stored) THEN
        RAISE EXCEPTION 'quote anchor of claim % ends at % beyond the source text (% characters)',
            NEW.claim_id, NEW."end", char_length(stored) USING ERRCODE = 'check_violation';
    END IF;
    IF substring(stored FROM NEW.start + 1 FOR NEW."end" - NEW.start) IS DISTINCT FROM NEW.exact THEN
        RAISE EXCEPTION 'quote anchor of claim % does not match the source text at %..%',
            NEW.claim_id, NEW.start, NEW."end" USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER claims_anchor_matches_source_text
BEFORE INSERT OR UPDATE ON claims_quoteanchor
FOR EACH ROW EXECUTE FUNCTION claims_anchor_matches_source_text();
"""

DROP = """
DROP TRIGGER IF EXISTS claims_anchor_matches_source_text ON claims_quoteanchor;
DROP FUNCTION IF EXISTS claims_anchor_matches_source_text();
"""


class Migration(migrations.Migration):
    dependencies = [("claims", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
