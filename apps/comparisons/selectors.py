"""Reads: which propositions a user may see, and a proposition's comparison as that user sees it."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery

from apps.claims.models import Claim, ReviewStatus
from apps.claims.selectors import visible_claims
from apps.comparisons.models import KEY_ACTORS, KEY_COUNTRIES, Membership, Proposition
from apps.comparisons.verdicts import ComparisonRule, Verdict, members_sql, pairs_sql
from apps.countries.selectors import countries_by_code
from apps.sources.publication import DEFAULT_AS_OF_RULE, sources_published_by

_PAIRS = pairs_sql()
# The time each member is compared at, its first and last day (null where open).
_SPANS = f"""
SELECT claim_id, lower(span), upper(span) - 1
FROM ({members_sql()}) members
"""


class Agreement(models.TextChoices):
    """The overall label of a comparison, from its pairs' deciding verdicts."""

    AGREE = "agree", "Every pair agrees"
    DISAGREE = "disagree", "At least one pair disagrees"
    CHANGED_OVER_TIME = "changed_over_time", "No pair disagrees; some changed over time, none is undetermined"
    UNDETERMINED = "undetermined", "No pair disagrees, and not every pair could be judged"
    SINGLE_DOCUMENT = "single_document", "Its claims come from one document: nothing to compare"


@dataclass
class AsOf:
    date: datetime.date
    rule: str


@dataclass
class Comparison:
    proposition: Proposition
    claims: list[Claim]
    # ``pairs_limit`` pairs (all when None) from ``pairs_offset`` on, of ``pairs_count``.
    pairs: list[dict]
    summary: dict
    # Each claim's valid time as a span of days, for charts; None when not asked for (comparisons_build).
    spans: dict[int, tuple[datetime.date | None, datetime.date | None]] | None
    as_of: AsOf | None = None
    pairs_count: int = 0
    pairs_offset: int = 0
    pairs_limit: int | None = None


def compared_claims(user, *, as_of: AsOf | None = None):
    """The claims a user may see in comparisons: visible, not rejected, reported by ``as_of`` when given."""
    claims = visible_claims(user).exclude(review_status=ReviewStatus.REJECTED)
    if as_of is not None:
        sources = sources_published_by(as_of=as_of.date, rule=as_of.rule)
        claims = claims.filter(reported_on__lte=as_of.date, source__in=sources.values("id"))
    return claims


def _with_what_it_names(propositions: QuerySet[Proposition]) -> Proposition | None:
    """The proposition of ``propositions`` (one at most: the callers filter on its pk), with the actors and
    countries it names: the actors joined, the countries read after it in one query of their own (each table
    joined added about 0.2 ms to the planning of a query that runs in 0.2 ms)."""
    found = list(propositions.select_related(*KEY_ACTORS).order_by()[:1])  # unordered: one row to find
    if not found:
        return None
    proposition = found[0]
    codes = {name: getattr(proposition, f"{name}_id") for name in KEY_COUNTRIES}
    countries = countries_by_code(codes.values())
    for name, code in codes.items():
        setattr(proposition, name, countries.get(code))
    return proposition


def claim_proposition(user, claim_id: int) -> Proposition | None:
    """The proposition of a claim the user may see, with what it names, in two queries; None when the claim
    is not visible (or does not exist) or has not been grouped yet."""
    membership = Membership.objects.filter(claim__in=visible_claims(user).filter(pk=claim_id).values("pk"))
    # A subquery for the id, not a join: joined to the membership and the claim, the lookups of the
    # label gave PostgreSQL so many join orders to weigh that planning took ten times as long as with it.
    return _with_what_it_names(Proposition.objects.filter(pk=Subquery(membership.values("proposition_id"))))


def visible_proposition(user, pk) -> Proposition | None:
    """The proposition, with what it names, if it has at least one claim the user may see."""
    members = Membership.objects.filter(proposition=OuterRef("pk"), claim__in=visible_claims(user))
    return _with_what_it_names(Proposition.objects.filter(Exists(members), pk=pk))


def propositions_compared(user, *, as_of: AsOf | None = None):
    """Propositions whose published claims come from two or more documents; with ``as_of``, whose
    claims the user may see and reported by then do."""
    if as_of is None:
        return Proposition.objects.filter(document_count__gte=2)
    members = (
        Membership.objects.filter(claim__in=compared_claims(user, as_of=as_of))
        .values("proposition_id")
        .annotate(documents=Count("claim__source", distinct=True))
        .filter(documents__gte=2)
    )
    return Proposition.objects.filter(id__in=members.values("proposition_id"))


def _summary(claims: list[Claim], deciding: set[str]) -> dict:
    """The keys ComparisonSummarySerializer declares, in its order (the API passes them on); ``deciding``: the
    verdicts that stand over every pair (empty: no pairs)."""
    figures = [
        (c.quantity_lower, c.quantity_upper)
        for c in claims
        if c.quantity_lower is not None or c.quantity_upper is not None
    ]
    reported = common = None
    if figures:
        lowers = [low for low, _ in figures]
        uppers = [up for _, up in figures]
        # A missing bound is open: the span is open on that side, and the common part is bounded by the others.
        reported = {
            "lower": None if None in lowers else min(lowers),
            "upper": None if None in uppers else max(uppers),
        }
        known_lowers = [low for low in lowers if low is not None]
        known_uppers = [up for up in uppers if up is not None]
        low = max(known_lowers) if known_lowers else None
        up = min(known_uppers) if known_uppers else None
        if low is None or up is None or low <= up:
            common = {"lower": low, "upper": up}
    units = {c.quantity_unit for c in claims if c.quantity_unit}
    unit = units.pop() if len(units) == 1 else None
    if reported is not None:
        reported["unit"] = unit
    if common is not None:
        common["unit"] = unit
    if not deciding:
        agreement = Agreement.SINGLE_DOCUMENT
    elif Verdict.DISAGREES in deciding:
        agreement = Agreement.DISAGREE
    elif deciding == {Verdict.AGREES}:
        agreement = Agreement.AGREE
    elif Verdict.CHANGED_OVER_TIME in deciding and Verdict.UNDETERMINED not in deciding:
        agreement = Agreement.CHANGED_OVER_TIME
    else:
        agreement = Agreement.UNDETERMINED
    return {
        "documents": len({c.source_id for c in claims}),
        "reported_range": reported,
        "common_range": common if figures else None,
        "agreement": agreement,
    }


def _decided_verdict(*, curated: str | None, computed: str) -> str:
    return curated or computed


def _pair(row: dict, by_id: dict[int, Claim]) -> dict:
    """A pair with the keys PairSerializer declares, in its order: the API passes it on as it is, but for the
    claims' ids."""
    return {
        "claims": [by_id[row["a_id"]], by_id[row["b_id"]]],
        "verdict": row["verdict"],
        "rule": row["rule"],
        "rule_description": ComparisonRule(row["rule"]).label,
        "curated_verdict": row["curated_verdict"],
        "relations": row["relations"] or [],
        "decided_verdict": _decided_verdict(curated=row["curated_verdict"], computed=row["verdict"]),
        "decided_by": "curator" if row["curated_verdict"] else "rule",
    }


def comparisons_build(
    *,
    propositions: list[Proposition],
    user,
    as_of: AsOf | None = None,
    pairs_offset: int = 0,
    pairs_limit: int | None = None,
    spans: bool = True,
) -> list[Comparison]:
    """Each proposition's claims the user may see, every pair of them from different documents with its
    computed and curated verdicts, and a summary. Three queries however many propositions and claims
    (two without ``spans``, the claims' valid times as charts draw them, which the API does not show).

    With ``pairs_limit``, each comparison keeps that many of its pairs from ``pairs_offset`` on (in the
    order of their claims' reports); its summary still judges every pair."""
    if not propositions:
        return []
    claims = list(
        compared_claims(user, as_of=as_of)
        .filter(membership__proposition__in=propositions)
        .annotate(compared_in=F("membership__proposition_id"))
        # Only what a compared claim shows (ComparedClaimSerializer, the admin panel, the reading room).
        .select_related("source", "subject")
        .defer("source__text", "source__metadata_notes", "search_vector")
        .order_by("reported_on", "id")
    )
    by_id = {claim.pk: claim for claim in claims}
    parameters = {
        "all": False,
        "propositions": [p.pk for p in propositions],
        "published": False,
        "claim_ids": list(by_id),
    }
    with connection.cursor() as cursor:
        spans_of = None
        if spans:
            cursor.execute(_SPANS, parameters)
            spans_of = {claim_id: (start, end) for claim_id, start, end in cursor.fetchall()}
        cursor.execute(_PAIRS, parameters)
        columns = [column.name for column in cursor.description]
        rows = cursor.fetchall()
    members: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        members[claim.compared_in].append(claim)
    # A proposition of hundreds of claims has tens of thousands of pairs: they stay tuples, and only
    # the kept ones become the dicts of a response.
    proposition_at, a_at, b_at, computed_at, curated_at = (
        columns.index(name) for name in ("proposition_id", "a_id", "b_id", "verdict", "curated_verdict")
    )
    rows_of: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        rows_of[row[proposition_at]].append(row)
    position = {claim.pk: index for index, claim in enumerate(claims)}
    end = None if pairs_limit is None else pairs_offset + pairs_limit
    comparisons = []
    for proposition in propositions:
        own = sorted(rows_of[proposition.pk], key=lambda row: (position[row[a_at]], position[row[b_at]]))
        own_claims = members[proposition.pk]
        deciding = {_decided_verdict(curated=row[curated_at], computed=row[computed_at]) for row in own}
        comparisons.append(
            Comparison(
                proposition=proposition,
                claims=own_claims,
                pairs=[_pair(dict(zip(columns, row, strict=True)), by_id) for row in own[pairs_offset:end]],
                summary=_summary(own_claims, deciding),
                spans=None if spans_of is None else {c.pk: spans_of[c.pk] for c in own_claims if c.pk in spans_of},
                as_of=as_of,
                pairs_count=len(own),
                pairs_offset=pairs_offset,
                pairs_limit=pairs_limit,
            )
        )
    return comparisons


def comparison_build(*, proposition: Proposition, user, **options) -> Comparison:
    """One proposition's comparison; ``options`` as ``comparisons_build`` takes them."""
    return comparisons_build(propositions=[proposition], user=user, **options)[0]


def as_of_from(*, date: datetime.date | None, rule: str | None) -> AsOf | None:
    return AsOf(date=date, rule=rule or DEFAULT_AS_OF_RULE) if date else None
