"""The grouping rule: which claims speak about the same thing and so form one proposition.

Two claims belong to the same proposition when they have

- the same **kind**;
- the same **subject**, where a state or a person stands for its country: "Putin gathered
  soldiers" and "Russia amassed troops" are both Russia's (an organisation, an alliance, a
  company, an armed group or a media outlet stands for itself);
- the same **object**, by the same reading;
- the same **location**;
- the same **unit** of quantity (a claim without a figure has none).

A missing value is a value of its own: a claim that names no location is not put with one
that does, since nothing says they are about the same place. Curators correct the rule where
it is wrong (apps.comparisons.services: move, merge, split); a claim a curator placed is
pinned, and the rule leaves it where it is.
"""

# The key parts of a claim (alias c) with its subject and object actors (aliases s and o).
_STANDS_FOR_COUNTRY = "('state', 'person')"


def _party(actor: str) -> tuple[str, str]:
    country = f"CASE WHEN {actor}.kind IN {_STANDS_FOR_COUNTRY} THEN {actor}.country_id END"
    itself = (
        f"CASE WHEN {actor}.kind IN {_STANDS_FOR_COUNTRY} AND {actor}.country_id IS NOT NULL "
        f"THEN NULL ELSE {actor}.id END"
    )
    return country, itself


_SUBJECT_COUNTRY, _SUBJECT = _party("s")
_OBJECT_COUNTRY, _OBJECT = _party("o")

# Each claim among %(ids)s (every claim when %(all)s) that no curator has placed, with its key.
KEYED_CLAIMS_SQL = f"""
SELECT k.*, concat_ws('|', k.kind,
        coalesce(k.subject_country_id, '@' || k.subject_id, '-'),
        coalesce(k.object_country_id, '@' || k.object_id, '-'),
        coalesce(k.location_id, '-'),
        coalesce(nullif(k.unit, ''), '-')) AS key
FROM (
    SELECT c.id AS claim_id, c.kind, c.location_id, c.quantity_unit AS unit,
        {_SUBJECT_COUNTRY} AS subject_country_id, {_SUBJECT} AS subject_id,
        {_OBJECT_COUNTRY} AS object_country_id, {_OBJECT} AS object_id
    FROM claims_claim c
    LEFT JOIN actors_actor s ON s.id = c.subject_id
    LEFT JOIN actors_actor o ON o.id = c.object_id
    WHERE (%(all)s OR c.id = ANY(%(ids)s::bigint[]))
      AND NOT EXISTS (SELECT 1 FROM comparisons_membership p WHERE p.claim_id = c.id AND p.pinned)
) k
"""

CREATE_PROPOSITIONS_SQL = f"""
INSERT INTO comparisons_proposition (key, kind, subject_id, subject_country_id, object_id, object_country_id,
    location_id, unit, claim_count, document_count, disputed, created_at, updated_at)
SELECT DISTINCT ON (key) key, kind, subject_id, subject_country_id, object_id, object_country_id,
    location_id, unit, 0, 0, false, now(), now()
FROM ({KEYED_CLAIMS_SQL}) keyed
ORDER BY key
ON CONFLICT (key) DO NOTHING
"""

PLACE_CLAIMS_SQL = f"""
INSERT INTO comparisons_membership (claim_id, proposition_id, pinned, note)
SELECT keyed.claim_id, p.id, false, ''
FROM ({KEYED_CLAIMS_SQL}) keyed
JOIN comparisons_proposition p ON p.key = keyed.key
ON CONFLICT (claim_id) DO UPDATE SET proposition_id = EXCLUDED.proposition_id
WHERE comparisons_membership.proposition_id <> EXCLUDED.proposition_id AND NOT comparisons_membership.pinned
"""

# A pinned claim whose kind a later edit changed can no longer stay where the curator put it.
UNPIN_CHANGED_KIND_SQL = """
UPDATE comparisons_membership m SET pinned = false
FROM claims_claim c, comparisons_proposition p
WHERE m.claim_id = c.id AND p.id = m.proposition_id AND m.pinned AND c.kind <> p.kind
  AND (%(all)s OR c.id = ANY(%(ids)s::bigint[]))
"""
