"""Every write to propositions: the grouping rule applied on claim writes, the full recompute,
and the curators' overrides (move, merge, split, release), each recorded in history.

Incremental: a claim write regroups that claim and refreshes the propositions it left and
joined, nothing else. Everything is set-based SQL, so the full recompute of a million claims
is a handful of statements.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction

from apps.claims.models import Claim, ClaimRelation
from apps.claims.services import claim_relation_create
from apps.comparisons.grouping import CREATE_PROPOSITIONS_SQL, PLACE_CLAIMS_SQL, UNPIN_CHANGED_KIND_SQL
from apps.comparisons.models import KEY_PARTS, Membership, Proposition
from apps.comparisons.verdicts import Verdict, pairs_sql
from apps.core.queries import among

_SCOPE = "(%(all)s OR m.proposition_id = ANY(%(propositions)s::bigint[]))"

_DELETE_EMPTY_SQL = """
DELETE FROM comparisons_proposition p
WHERE (%(all)s OR p.id = ANY(%(propositions)s::bigint[]))
  AND NOT EXISTS (SELECT 1 FROM comparisons_membership m WHERE m.proposition_id = p.id)
"""

_REFRESH_SQL = f"""
WITH decided AS (
    SELECT pairs.proposition_id, pairs.a_id, pairs.b_id
    FROM ({pairs_sql()}) pairs
    WHERE coalesce(pairs.curated_verdict, pairs.verdict) = '{Verdict.DISAGREES.value}'
),
disagreeing AS (
    SELECT a_id AS claim_id FROM decided UNION SELECT b_id FROM decided
),
contradicted AS (
    SELECT DISTINCT x.claim_id
    FROM (SELECT from_claim_id AS claim_id, to_claim_id AS other FROM claims_claimrelation WHERE type = 'contradicts'
          UNION ALL
          SELECT to_claim_id, from_claim_id FROM claims_claimrelation WHERE type = 'contradicts') x
    JOIN claims_claim c ON c.id = x.claim_id
    JOIN claims_claim o ON o.id = x.other
    WHERE c.review_status = 'published' AND o.review_status = 'published' AND c.source_id <> o.source_id
),
flags AS (
    SELECT m.claim_id, (d.claim_id IS NOT NULL OR k.claim_id IS NOT NULL) AS disputed
    FROM comparisons_membership m
    LEFT JOIN disagreeing d ON d.claim_id = m.claim_id
    LEFT JOIN contradicted k ON k.claim_id = m.claim_id
    WHERE {_SCOPE}
),
claims_flagged AS (
    UPDATE claims_claim c SET disputed = flags.disputed
    FROM flags WHERE c.id = flags.claim_id AND c.disputed <> flags.disputed
    RETURNING c.id
),
counts AS (
    SELECT m.proposition_id,
        count(*) FILTER (WHERE c.review_status = 'published') AS claims,
        count(DISTINCT c.source_id) FILTER (WHERE c.review_status = 'published') AS documents,
        bool_or(m.proposition_id IN (SELECT proposition_id FROM decided)) AS disputed
    FROM comparisons_membership m
    JOIN claims_claim c ON c.id = m.claim_id
    WHERE {_SCOPE}
    GROUP BY m.proposition_id
)
UPDATE comparisons_proposition p
SET claim_count = counts.claims, document_count = counts.documents, disputed = counts.disputed, updated_at = now()
FROM counts
WHERE p.id = counts.proposition_id
  AND (p.claim_count, p.document_count, p.disputed) IS DISTINCT FROM (counts.claims, counts.documents, counts.disputed)
"""


def _parameters(*, ids: Iterable[int] = (), propositions: Iterable[int] = (), everything: bool = False) -> dict:
    return {
        "all": everything,
        "ids": list(ids),
        "propositions": list(propositions),
        "published": True,
        "claim_ids": [],
    }


# Past this many propositions, a refresh reads them all (an import's million claims): the pairs of
# members of a list of propositions are planned from an estimate of how many members the list
# holds, and a low one joined them pair by pair.
REFRESH_ALL_FROM = 10_000


def propositions_refresh(*, proposition_ids: Iterable[int] = (), everything: bool = False) -> None:
    """Drop emptied propositions and recompute the counts and disputed flags of these (or all)
    propositions and of their claims."""
    proposition_ids = set(proposition_ids)
    many = len(proposition_ids) > REFRESH_ALL_FROM
    parameters = _parameters(propositions=proposition_ids, everything=everything or many)
    if not parameters["all"] and not parameters["propositions"]:
        return
    with connection.cursor() as cursor:
        if many:
            # So many changed propositions were likely filled by this transaction (an import's regrouping),
            # since the planner last counted their tables: ANALYZE here counts its own rows too.
            cursor.execute("ANALYZE comparisons_membership, comparisons_proposition")
        cursor.execute(_DELETE_EMPTY_SQL, parameters)
        cursor.execute(_REFRESH_SQL, parameters)


def _propositions_of(claim_ids: list[int]) -> set[int]:
    # One array, not a placeholder per claim: an import's claims are a million.
    return set(Membership.objects.filter(among("claim_id", claim_ids)).values_list("proposition_id", flat=True))


def _regroup(parameters: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(UNPIN_CHANGED_KIND_SQL, parameters)
        cursor.execute(CREATE_PROPOSITIONS_SQL, parameters)
        cursor.execute(PLACE_CLAIMS_SQL, parameters)


@transaction.atomic
def propositions_recompute(*, claim_ids: Iterable[int]) -> None:
    """Apply the grouping rule to these claims and refresh the propositions they left and joined."""
    ids = list(claim_ids)
    if not ids:
        return
    before = _propositions_of(ids)
    _regroup(_parameters(ids=ids))
    propositions_refresh(proposition_ids=before | _propositions_of(ids))


@transaction.atomic
def propositions_recompute_all() -> None:
    """Regroup every claim the curators have not placed, then refresh every proposition."""
    _regroup(_parameters(everything=True))
    propositions_refresh(everything=True)


def claim_relations_changed(*, claim_ids: Iterable[int]) -> None:
    """A curated relation between these claims was made, changed or removed: refresh their propositions."""
    propositions_refresh(proposition_ids=_propositions_of(list(claim_ids)))


# -- curators' overrides ---------------------------------------------------------------


def _check_kind(proposition: Proposition, claims: Iterable[Claim]) -> None:
    others = sorted({claim.get_kind_display() for claim in claims if claim.kind != proposition.kind})
    if others:
        raise ValidationError(
            {
                "proposition": (
                    f"Proposition #{proposition.pk} is about {proposition.get_kind_display().lower()} claims; "
                    f"a claim of kind {', '.join(others).lower()} cannot join it."
                )
            }
        )


def _pin(claims: Iterable[Claim], proposition: Proposition, note: str) -> set[int]:
    """Place each claim in ``proposition`` as a curator's decision (a history record per claim);
    returns the propositions they left."""
    left = set()
    for claim in claims:
        membership, _ = Membership.objects.get_or_create(claim=claim, defaults={"proposition": proposition})
        left.add(membership.proposition_id)
        membership.proposition = proposition
        membership.pinned = True
        membership.note = note
        membership.save()
    return left - {proposition.pk}


@transaction.atomic
def claim_move(*, claim: Claim, proposition: Proposition, note: str = "") -> Proposition:
    """Put a claim into another proposition of its kind; the grouping rule will leave it there."""
    _check_kind(proposition, [claim])
    left = _pin([claim], proposition, note)
    propositions_refresh(proposition_ids=left | {proposition.pk})
    return proposition


@transaction.atomic
def propositions_merge(*, into: Proposition, merged: Iterable[Proposition], note: str = "") -> Proposition:
    """Move every claim of ``merged`` into ``into``, pinned; the emptied propositions disappear."""
    merged = [p for p in merged if p.pk != into.pk]
    claims = list(Claim.objects.filter(membership__proposition__in=merged))
    _check_kind(into, claims)
    left = _pin(claims, into, note)
    propositions_refresh(proposition_ids=left | {into.pk})
    return into


@transaction.atomic
def proposition_split(*, claims: Iterable[Claim], note: str = "") -> Proposition:
    """Take these claims out of their propositions into a new one of their own, pinned there."""
    claims = list(claims)
    if not claims:
        raise ValidationError({"claims": "Choose at least one claim to split off."})
    kinds = {claim.kind for claim in claims}
    if len(kinds) > 1:
        raise ValidationError({"claims": "Claims of different kinds cannot form one proposition."})
    # The new proposition says what the old one said; only a curator's decision separates them.
    old = Proposition.objects.filter(memberships__claim=claims[0]).first()
    parts = [Proposition._meta.get_field(part).attname for part in KEY_PARTS]
    proposition = Proposition.objects.create(
        kind=claims[0].kind, **({part: getattr(old, part) for part in parts} if old else {})
    )
    left = _pin(claims, proposition, note)
    propositions_refresh(proposition_ids=left | {proposition.pk})
    return proposition


@transaction.atomic
def claim_release(*, claim: Claim) -> Proposition:
    """Undo a curator's placement: the grouping rule places the claim again."""
    membership = Membership.objects.filter(claim=claim, pinned=True).first()
    if membership is not None:
        membership.pinned, membership.note = False, ""
        membership.save()
    propositions_recompute(claim_ids=[claim.pk])
    return Membership.objects.select_related("proposition").get(claim=claim).proposition


@transaction.atomic
def verdict_curate(*, from_claim: Claim, to_claim: Claim, type: str, note: str = "", created_by=None) -> ClaimRelation:
    """Turn a computed verdict into a curated relation, or overrule it, in one step."""
    return claim_relation_create(from_claim=from_claim, to_claim=to_claim, type=type, note=note, created_by=created_by)
