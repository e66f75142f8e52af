from django.db import migrations

# A claim's derived data (publication date, search vector, country links) is rebuilt by one
# SQL function. The services call it after every claim write; triggers call it when a source
# or an actor changes what claims derive from them, whatever wrote the change (the services,
# the admin, QuerySet.update() or raw SQL), so the lower apps never need to know about claims.
FUNCTIONS = """
CREATE FUNCTION claim_search_vector(summary text, quote text, title text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english', summary), 'A')
        || setweight(to_tsvector('english', coalesce(quote, '')), 'B')
        || setweight(to_tsvector('english', title), 'C')
$$;

CREATE FUNCTION claims_refresh_derived(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE claims_claim c
    SET reported_on = s.published_on,
        search_vector = claim_search_vector(
            c.summary, (SELECT a.exact FROM claims_quoteanchor a WHERE a.claim_id = c.id), s.title)
    FROM sources_source s
    WHERE s.id = c.source_id AND c.id = ANY(ids);

    DELETE FROM claims_claimcountry WHERE claim_id = ANY(ids);

    -- After the columns: the links copy the refreshed reported_on.
    INSERT INTO claims_claimcountry (claim_id, country_id, reported_on)
    SELECT DISTINCT c.id, touched.country_id, c.reported_on
    FROM claims_claim c
    CROSS JOIN LATERAL (
        SELECT c.location_id
        UNION SELECT a.country_id FROM actors_actor a WHERE a.id IN (c.subject_id, c.object_id)
        UNION SELECT cc.country_id FROM claims_claim_countries cc WHERE cc.claim_id = c.id
    ) AS touched(country_id)
    WHERE c.id = ANY(ids) AND touched.country_id IS NOT NULL;
$$;

CREATE FUNCTION claims_follow_source() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM claims_refresh_derived(ARRAY(SELECT id FROM claims_claim WHERE source_id = NEW.id));
    RETURN NULL;
END
$$;

CREATE TRIGGER claims_follow_source
AFTER UPDATE OF title, published_on ON sources_source
FOR EACH ROW
WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.published_on IS DISTINCT FROM NEW.published_on)
EXECUTE FUNCTION claims_follow_source();

CREATE FUNCTION claims_follow_actor() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM claims_refresh_derived(ARRAY(
        SELECT id FROM claims_claim WHERE subject_id = NEW.id
        UNION SELECT id FROM claims_claim WHERE object_id = NEW.id
    ));
    RETURN NULL;
END
$$;

CREATE TRIGGER claims_follow_actor
AFTER UPDATE OF country_id ON actors_actor
FOR EACH ROW
WHEN (OLD.country_id IS DISTINCT FROM NEW.country_id)
EXECUTE FUNCTION claims_follow_actor();
"""

DROP_FUNCTIONS = """
DROP TRIGGER claims_follow_actor ON actors_actor;
DROP FUNCTION claims_follow_actor();
DROP TRIGGER claims_follow_source ON sources_source;
DROP FUNCTION claims_follow_source();
DROP FUNCTION claims_refresh_derived(bigint[]);
DROP FUNCTION claim_search_vector(text, text, text);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0009_claim_stance_relation_changed_over_time"),
        ("actors", "0002_history"),
        ("sources", "0002_history"),
    ]

    operations = [
        migrations.RemoveField(model_name="claim", name="list_document"),
        migrations.RunSQL(FUNCTIONS, DROP_FUNCTIONS),
    ]
