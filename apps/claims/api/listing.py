"""Claim list pages assembled as JSON by PostgreSQL.

Each claim keeps its list representation, all but relations and notes, as JSON text
(``Claim.list_document``, rebuilt by ``claims_refresh_derived`` on every write). A page
joins 100 of those with the relations and notes the viewer may see, in one prepared
statement, instead of building every claim's JSON from its rows on every request. The
shape is exactly ``ClaimSerializer``'s (tests/test_api_listing.py compares the two for
every claim); detail responses and writes still go through the serializer.
"""

import time

import orjson
import psycopg
from django.db import connection

from apps.claims.services import saved_claim_document_sql

# Documents hold URLs relative to the API root; the page puts the root in front. In JSON
# text an unescaped quote only delimits a string, so this matches URL fields and nothing else.
_URL_FIELD = '"url" : "'

_RELATIONS_TOWARDS = """
SELECT r.{this}_claim_id AS claim_id, r.id, r.type, '{direction}' AS direction, r.note, o.id AS other_id,
       o.kind AS other_kind, o.summary AS other_summary, os.slug AS other_source
FROM page
JOIN claims_claimrelation r ON r.{this}_claim_id = page.id
JOIN claims_claim o ON o.id = r.{other}_claim_id
JOIN sources_source os ON os.id = o.source_id
WHERE %(drafts)s::boolean OR o.review_status = 'published'
"""


def page_statement(ids: str = "%(ids)s::bigint[]") -> str:
    """The page statement for the claims whose ids the SQL array expression ``ids`` lists, in order.

    The API binds the ids; the benchmark puts the query that picks them here, to time the
    whole page as one statement. A claim without a stored document (written by something
    other than the services or the importer) is rendered on the spot with the same
    expression, only slower.
    """
    return f"""
WITH page AS (
    SELECT id, position FROM unnest({ids}) WITH ORDINALITY AS ids(id, position)
),
related AS (
    SELECT rel.claim_id, json_agg(json_build_object(
        'id', rel.id, 'type', rel.type, 'direction', rel.direction, 'note', rel.note,
        'claim', json_build_object(
            'id', rel.other_id, 'url', 'claims/' || rel.other_id || '/',
            'kind', rel.other_kind, 'summary', rel.other_summary, 'source', rel.other_source)
    ) ORDER BY rel.id)::text AS relations
    FROM ({_RELATIONS_TOWARDS.format(direction="outgoing", this="from", other="to")}
          UNION ALL
          {_RELATIONS_TOWARDS.format(direction="incoming", this="to", other="from")}) AS rel
    GROUP BY rel.claim_id
)
SELECT replace('[' || coalesce(string_agg(
    left(coalesce(c.list_document, {saved_claim_document_sql("c")}), -1)
    || ', "relations" : ' || coalesce(related.relations, '[]')
    || ', "notes" : ' || CASE WHEN %(drafts)s::boolean THEN to_json(c.notes)::text ELSE 'null' END
    || '}}',
    ', ' ORDER BY page.position), '') || ']', '{_URL_FIELD}', %(url_prefix)s)
FROM page
JOIN claims_claim c ON c.id = page.id
LEFT JOIN related ON related.claim_id = c.id
"""


def page_parameters(*, api_root: str, sees_drafts: bool) -> dict:
    """The page statement's parameters other than the ids."""
    return {"url_prefix": _URL_FIELD + orjson.dumps(api_root).decode()[1:-1], "drafts": sees_drafts}


_PAGE = page_statement()


def claims_page_json(*, ids: list[int], api_root: str, sees_drafts: bool) -> bytes:
    """The JSON array of these claims, in this order, as ``ClaimSerializer`` would render them.

    The statement binds server-side and is prepared on the connection, so PostgreSQL plans
    it once per connection rather than on every page.
    """
    if not ids:
        return b"[]"
    parameters = {"ids": ids, **page_parameters(api_root=api_root, sees_drafts=sees_drafts)}
    connection.ensure_connection()
    started = time.monotonic()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(_PAGE, parameters, prepare=True)
        page = cursor.fetchone()[0]
    if connection.queries_logged:  # keep the statement visible to query counting, as Django's own are
        connection.queries_log.append({"sql": _PAGE, "time": f"{time.monotonic() - started:.3f}"})
    return page.encode()
