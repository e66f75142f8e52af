"""A comparison drawn: the reported figures of its claims over time, one series per source.

The curators' admin and the public reading room draw the same chart; only where a claim's
row links to differs.
"""

from collections.abc import Callable

from django.utils.safestring import SafeString

from apps.claims.models import Claim
from apps.comparisons.models import proposition_label
from apps.comparisons.selectors import Comparison
from apps.core.charts import Interval, interval_chart

TIME_LABEL = "valid time, or the report date when none is given"


def charted_claims(comparison: Comparison) -> list[Claim]:
    """The claims the chart can place: a figure, and a time (their own or their report's)."""
    return [
        claim
        for claim in comparison.claims
        if any(comparison.spans.get(claim.pk, (None, None)))
        and (claim.quantity_lower is not None or claim.quantity_upper is not None)
    ]


def _source_short_name(source) -> str:
    """What the chart writes beside a box: the author's surname ("Kempe", "Jankowski et al."), else the publisher."""
    if source.authors:
        surname = source.authors[0].split()[-1]
        return f"{surname} et al." if len(source.authors) > 1 else surname
    return source.publisher


def comparison_chart(
    comparison: Comparison, *, claim_url: Callable[[Claim], str], chart_id: str = "interval-chart"
) -> SafeString:
    intervals = []
    for claim in charted_claims(comparison):
        start, end = comparison.spans[claim.pk]
        intervals.append(
            Interval(
                label=claim.source.title or claim.source.slug,
                short_label=_source_short_name(claim.source),
                start=start or end,
                end=end or start,
                lower=claim.quantity_lower,
                upper=claim.quantity_upper,
                wording=claim.quantity_text,
                url=claim_url(claim),
            )
        )
    units = {c.quantity_unit for c in comparison.claims if c.quantity_unit}
    return interval_chart(
        intervals=intervals,
        title=f"Reported figures: {proposition_label(comparison.proposition)}",
        unit=units.pop() if len(units) == 1 else "quantity",
        time_label=TIME_LABEL,
        chart_id=chart_id,
    )
