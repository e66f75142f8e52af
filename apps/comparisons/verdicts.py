"""How two claims of different documents in one proposition compare: the verdict rules.

Each claim is reduced to its status, its figure and its time:

- its **figure** is the interval between its quantity bounds, inclusive; a missing bound is
  open ("over 100,000" is [100,000, ∞)). A claim whose quantity has no bound has no figure.
- its **time** is its valid time, inclusive, a missing end open; a claim that gives no valid
  time is taken to describe the time it was reported, its source's publication date, or the
  whole month or year when the source is dated only to one. A claim with neither has no time.
- its **report date** is its source's publication date as stored (``reported_on``: the first day
  of the month or year for a source dated only to one), and its **trend** what the source says
  of the state's direction ("over 100,000 and growing"), if anything.

The first rule that applies gives the verdict (``ComparisonRule`` lists them in order):

1. Opposed statuses (``OPPOSED_STATUSES``: supports/opposes, refused/completed…) disagree
   when the times overlap, changed over time when they do not, and are undetermined when a
   time is missing.
2. A forecast (status predicted, or stance prediction) set against a claim that is not one is undetermined:
   whether it came true is a curator's call (a curated relation), not arithmetic.
3. Different statuses that are not opposed (threatened/imposed, demanded/announced) are
   undetermined: different acts, neither confirming nor denying each other.
4. Without a figure on both sides, undetermined: the same kind of act by the same actors, but
   whether it is the same act is for a curator to say.
5. Figures that overlap agree (a value exists that both allow), whatever their times.
6. Figures that do not overlap changed over time, whatever their times, when one claim was
   reported after the other, its figure lies in the direction a trend given by either claim
   says (above the earlier one's for growing, below it for shrinking), and neither claim gives
   the opposite trend. A build-up said to be growing and reported later with a larger figure has
   grown; it does not contradict the smaller one. Claims reported on the same date, or a report
   date missing, leave the order unknown and the rule unused.
7. Other figures that do not overlap disagree when the times overlap, changed over time when
   they do not, and are undetermined when a time is missing.

A curated relation between the two claims wins (``CURATED_VERDICTS``): contradicts means
disagrees, changed_over_time changed over time, corroborates agrees; same_event and
supersedes say nothing about agreement and leave the computed verdict standing. Responses
show both.

The rules are SQL (``pairs_sql``), so that refreshing a million claims is a few set-based
statements; the tests in tests/test_comparison_rules.py cover each rule and edge.
"""

from django.db import models

from apps.claims.kinds import ClaimTrend
from apps.sources.publication import published_until_sql


class Verdict(models.TextChoices):
    AGREES = "agrees", "Agrees"
    DISAGREES = "disagrees", "Disagrees"
    CHANGED_OVER_TIME = "changed_over_time", "Changed over time"
    UNDETERMINED = "undetermined", "Undetermined"


class ComparisonRule(models.TextChoices):
    """The rules, in the order they are tried; each label says when it applies."""

    OPPOSED_STATUSES_OVERLAPPING_TIMES = (
        "opposed_statuses_overlapping_times",
        "Opposed statuses (e.g. supports and opposes) for times that overlap.",
    )
    OPPOSED_STATUSES_DIFFERENT_TIMES = (
        "opposed_statuses_different_times",
        "Opposed statuses for times that do not overlap: the position changed.",
    )
    OPPOSED_STATUSES_TIME_UNKNOWN = (
        "opposed_statuses_time_unknown",
        "Opposed statuses, but a claim has neither a valid time nor a dated source.",
    )
    FORECAST = (
        "forecast",
        "A forecast against a claim that is not one: whether it came true is for a curated relation to say.",
    )
    STATUSES_DIFFER = (
        "statuses_differ",
        "Different acts (e.g. threatened and imposed) that neither confirm nor deny each other.",
    )
    FIGURES_MISSING = (
        "figures_missing",
        "Same status but no figure on both sides: whether they describe the same act is for a curator to say.",
    )
    FIGURES_OVERLAP = "figures_overlap", "The figures' bounds overlap: a value exists that both allow."
    FIGURES_DIFFER_STATE_GROWING = (
        "figures_differ_state_growing",
        "No value fits both figures, and the later report's figure lies the way a claim says the state was moving "
        "(higher when growing, lower when shrinking).",
    )
    FIGURES_DIFFER_OVERLAPPING_TIMES = (
        "figures_differ_overlapping_times",
        "No value fits both figures, and their times overlap.",
    )
    FIGURES_DIFFER_DIFFERENT_TIMES = (
        "figures_differ_different_times",
        "No value fits both figures, but they describe times that do not overlap.",
    )
    FIGURES_DIFFER_TIME_UNKNOWN = (
        "figures_differ_time_unknown",
        "No value fits both figures, but a claim has neither a valid time nor a dated source.",
    )


RULE_VERDICTS: dict[ComparisonRule, Verdict] = {
    ComparisonRule.OPPOSED_STATUSES_OVERLAPPING_TIMES: Verdict.DISAGREES,
    ComparisonRule.OPPOSED_STATUSES_DIFFERENT_TIMES: Verdict.CHANGED_OVER_TIME,
    ComparisonRule.OPPOSED_STATUSES_TIME_UNKNOWN: Verdict.UNDETERMINED,
    ComparisonRule.FORECAST: Verdict.UNDETERMINED,
    ComparisonRule.STATUSES_DIFFER: Verdict.UNDETERMINED,
    ComparisonRule.FIGURES_MISSING: Verdict.UNDETERMINED,
    ComparisonRule.FIGURES_OVERLAP: Verdict.AGREES,
    ComparisonRule.FIGURES_DIFFER_STATE_GROWING: Verdict.CHANGED_OVER_TIME,
    ComparisonRule.FIGURES_DIFFER_OVERLAPPING_TIMES: Verdict.DISAGREES,
    ComparisonRule.FIGURES_DIFFER_DIFFERENT_TIMES: Verdict.CHANGED_OVER_TIME,
    ComparisonRule.FIGURES_DIFFER_TIME_UNKNOWN: Verdict.UNDETERMINED,
}


# Unordered pairs of statuses that cannot both hold for the same thing at the same time.
OPPOSED_STATUSES: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in [
        ("supports", "opposes"),
        ("supports", "condemned"),
        ("supports", "refused"),
        ("refused", "completed"),
        ("refused", "imposed"),
        ("refused", "ongoing"),
        ("denied", "ongoing"),
        ("denied", "completed"),
    ]
)

# Curated relation types that decide a pair's verdict, strongest first.
CURATED_VERDICTS: dict[str, Verdict] = {
    "contradicts": Verdict.DISAGREES,
    "changed_over_time": Verdict.CHANGED_OVER_TIME,
    "corroborates": Verdict.AGREES,
}

PREDICTED_STATUS = "predicted"
PREDICTION_STANCE = "prediction"
GROWING = ClaimTrend.GROWING.value
SHRINKING = ClaimTrend.SHRINKING.value


def _literal(text: str) -> str:
    # Only ever given the constants above, never client input.
    assert "'" not in text
    return f"'{text}'"


def _opposed_sql(a: str, b: str) -> str:
    pairs = sorted(tuple(sorted(pair)) for pair in OPPOSED_STATUSES)
    listed = ", ".join(f"({_literal(x)}, {_literal(y)}), ({_literal(y)}, {_literal(x)})" for x, y in pairs)
    return f"({a}.status, {b}.status) IN ({listed})"


def _by_time(a: str, b: str, *, overlapping: ComparisonRule, different: ComparisonRule, unknown: ComparisonRule):
    return (
        f"CASE WHEN {a}.span IS NULL OR {b}.span IS NULL THEN {_literal(unknown)} "
        f"WHEN {a}.span && {b}.span THEN {_literal(overlapping)} "
        f"ELSE {_literal(different)} END"
    )


def _moved_as_said_sql(earlier: str, later: str) -> str:
    """SQL: ``later`` was reported after ``earlier`` and their disjoint figures lie the way a trend says."""

    def said(trend: str, opposite: str) -> str:
        trends = f"ARRAY[{earlier}.trend, {later}.trend]"
        return f"({_literal(trend)} = ANY({trends}) AND NOT {_literal(opposite)} = ANY({trends}))"

    return (
        f"({earlier}.reported_on < {later}.reported_on AND ("
        f"({earlier}.figure << {later}.figure AND {said(GROWING, SHRINKING)}) OR "
        f"({earlier}.figure >> {later}.figure AND {said(SHRINKING, GROWING)})))"
    )


def rule_sql(a: str, b: str) -> str:
    """SQL naming the rule that decides the pair of member rows ``a`` and ``b`` (see ``members_sql``)."""
    r = ComparisonRule

    def forecasts(claim: str) -> str:
        return f"({claim}.status = {_literal(PREDICTED_STATUS)} OR {claim}.stance = {_literal(PREDICTION_STANCE)})"

    opposed = _by_time(
        a,
        b,
        overlapping=r.OPPOSED_STATUSES_OVERLAPPING_TIMES,
        different=r.OPPOSED_STATUSES_DIFFERENT_TIMES,
        unknown=r.OPPOSED_STATUSES_TIME_UNKNOWN,
    )
    figures_differ = _by_time(
        a,
        b,
        overlapping=r.FIGURES_DIFFER_OVERLAPPING_TIMES,
        different=r.FIGURES_DIFFER_DIFFERENT_TIMES,
        unknown=r.FIGURES_DIFFER_TIME_UNKNOWN,
    )
    moved_as_said = f"{_moved_as_said_sql(a, b)} OR {_moved_as_said_sql(b, a)}"
    return (
        "CASE "
        f"WHEN {_opposed_sql(a, b)} THEN {opposed} "
        f"WHEN {forecasts(a)} IS DISTINCT FROM {forecasts(b)} THEN {_literal(r.FORECAST)} "
        f"WHEN {a}.status <> {b}.status THEN {_literal(r.STATUSES_DIFFER)} "
        f"WHEN {a}.figure IS NULL OR {b}.figure IS NULL THEN {_literal(r.FIGURES_MISSING)} "
        f"WHEN {a}.figure && {b}.figure THEN {_literal(r.FIGURES_OVERLAP)} "
        f"WHEN {moved_as_said} THEN {_literal(r.FIGURES_DIFFER_STATE_GROWING)} "
        f"ELSE {figures_differ} END"
    )


def verdict_of_rule_sql(rule: str) -> str:
    whens = " ".join(f"WHEN {_literal(r.value)} THEN {_literal(v.value)}" for r, v in RULE_VERDICTS.items())
    return f"CASE {rule} {whens} END"


def curated_verdict_sql(relation_type: str) -> str:
    whens = " ".join(f"WHEN {_literal(t)} THEN {_literal(v.value)}" for t, v in CURATED_VERDICTS.items())
    return f"CASE {relation_type} {whens} END"


def _curated_rank_sql(relation_type: str) -> str:
    whens = " ".join(f"WHEN {_literal(t)} THEN {rank}" for rank, t in enumerate(CURATED_VERDICTS))
    return f"CASE {relation_type} {whens} ELSE {len(CURATED_VERDICTS)} END"


def members_sql() -> str:
    """The members of the propositions %(propositions)s (every proposition when %(all)s), reduced to
    what the rules compare: the published ones when %(published)s, else those in %(claim_ids)s."""
    reported_until = published_until_sql(published_on="s.published_on", precision="s.published_precision")
    return f"""
SELECT m.claim_id, m.proposition_id, c.source_id, c.status, c.stance, c.trend, s.published_on AS reported_on,
    CASE WHEN c.quantity_lower IS NULL AND c.quantity_upper IS NULL THEN NULL
         ELSE numrange(c.quantity_lower::numeric, c.quantity_upper::numeric, '[]') END AS figure,
    CASE WHEN c.valid_from IS NOT NULL OR c.valid_to IS NOT NULL THEN daterange(c.valid_from, c.valid_to, '[]')
         WHEN s.published_on IS NOT NULL THEN daterange(s.published_on, {reported_until}, '[]') END AS span
FROM comparisons_membership m
JOIN claims_claim c ON c.id = m.claim_id
JOIN sources_source s ON s.id = c.source_id
WHERE (%(all)s OR m.proposition_id = ANY(%(propositions)s::bigint[]))
  AND CASE WHEN %(published)s THEN c.review_status = 'published' ELSE c.id = ANY(%(claim_ids)s::bigint[]) END
"""


def pairs_sql() -> str:
    """Every pair of members of different documents, with its rule, computed and curated verdicts
    and the curated relations between its two claims (JSON), ``a_id`` < ``b_id``."""
    return f"""
WITH members AS ({members_sql()}),
pairs AS (
    SELECT a.proposition_id, a.claim_id AS a_id, b.claim_id AS b_id,
        {rule_sql("a", "b")} AS rule
    FROM members a
    JOIN members b ON b.proposition_id = a.proposition_id AND b.claim_id > a.claim_id AND b.source_id <> a.source_id
)
SELECT pairs.proposition_id, pairs.a_id, pairs.b_id, pairs.rule, {verdict_of_rule_sql("pairs.rule")} AS verdict,
    curated.verdict AS curated_verdict, curated.relations
FROM pairs
LEFT JOIN LATERAL (
    SELECT (array_agg({curated_verdict_sql("r.type")} ORDER BY {_curated_rank_sql("r.type")}, r.id))[1] AS verdict,
        json_agg(json_build_object('id', r.id, 'type', r.type, 'from_claim', r.from_claim_id,
                                   'to_claim', r.to_claim_id, 'note', r.note) ORDER BY r.id) AS relations
    FROM claims_claimrelation r
    WHERE least(r.from_claim_id, r.to_claim_id) = pairs.a_id AND greatest(r.from_claim_id, r.to_claim_id) = pairs.b_id
    HAVING count(*) > 0
) curated ON true
"""
