"""Each verdict rule and its edges, on claims written through the services into the real database.

Every test makes two or three claims of one new alliance (so that no curated claim shares
their proposition) in sources of its own, and reads the pair's verdict from the comparison.
"""

import datetime
import itertools

import pytest

from apps.actors.models import Actor
from apps.claims.models import ClaimRelation
from apps.claims.services import claim_create, claim_relation_create, claim_update
from apps.comparisons.models import Membership
from apps.comparisons.selectors import AsOf, comparison_build
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

D = datetime.date
LATE_JANUARY = D(2022, 1, 24)


@pytest.fixture
def bloc(db):
    return Actor.objects.create(slug="test-bloc", name="Test bloc", kind="alliance")


def _source(slug: str, published_on=LATE_JANUARY, precision="day") -> Source:
    return Source.objects.create(
        slug=slug, title=slug, kind="news", text="Text.", published_on=published_on, published_precision=precision
    )


def _troops(source, bloc, *, lower=None, upper=None, value=None, qualifier="", status="ongoing", **fields):
    return claim_create(
        source=source,
        kind="troop_deployment",
        status=status,
        summary="Soldiers deployed.",
        subject=bloc,
        quantity_value=value,
        quantity_lower=lower,
        quantity_upper=upper,
        quantity_qualifier=qualifier,
        quantity_unit="soldiers",
        **fields,
    )


def _pair(first, second, user):
    comparison = comparison_build(proposition=first.membership.proposition, user=user)
    pair = next(p for p in comparison.pairs if {c.pk for c in p["claims"]} == {first.pk, second.pk})
    return pair


def _verdict(first, second, user) -> tuple[str, str]:
    pair = _pair(first, second, user)
    return pair["verdict"], pair["rule"]


def test_overlapping_figures_agree_whatever_the_time(bloc, curator):
    a = _troops(_source("a"), bloc, lower=90_000, upper=110_000)
    b = _troops(_source("b", D(2023, 6, 1)), bloc, lower=100_000)  # open above
    assert _verdict(a, b, curator) == ("agrees", "figures_overlap")


def test_disjoint_figures_at_overlapping_times_disagree(bloc, curator):
    a = _troops(_source("a"), bloc, lower=20_000, upper=99_999)
    b = _troops(_source("b"), bloc, lower=100_000)
    assert _verdict(a, b, curator) == ("disagrees", "figures_differ_overlapping_times")


def test_a_one_sided_upper_bound_against_a_higher_lower_bound(bloc, curator):
    a = _troops(_source("a"), bloc, value=5_000, qualifier="less_than")  # (-∞, 5,000]
    b = _troops(_source("b"), bloc, value=6_000, qualifier="more_than")  # [6,000, ∞)
    assert (a.quantity_lower, a.quantity_upper) == (None, 5_000)
    assert _verdict(a, b, curator) == ("disagrees", "figures_differ_overlapping_times")


def test_bounds_that_touch_overlap(bloc, curator):
    a = _troops(_source("a"), bloc, value=5_000, qualifier="at_most")
    b = _troops(_source("b"), bloc, value=5_000, qualifier="at_least")
    assert _verdict(a, b, curator) == ("agrees", "figures_overlap")


def test_disjoint_figures_for_valid_times_apart_changed_over_time(bloc, curator):
    a = _troops(
        _source("a"),
        bloc,
        value=3_000,
        valid_from=D(2022, 1, 1),
        valid_from_precision="month",
        valid_to=D(2022, 1, 1),
        valid_to_precision="month",
    )
    b = _troops(_source("b"), bloc, value=9_000, valid_from=D(2022, 3, 1), valid_from_precision="day")  # open end
    assert (a.valid_from, a.valid_to) == (D(2022, 1, 1), D(2022, 1, 31))  # month precision spans the month
    assert _verdict(a, b, curator) == ("changed_over_time", "figures_differ_different_times")


def test_an_open_ended_valid_time_overlaps_everything_after_it(bloc, curator):
    a = _troops(_source("a"), bloc, value=3_000, valid_from=D(2022, 1, 1), valid_from_precision="day")
    b = _troops(_source("b"), bloc, value=9_000, valid_to=D(2023, 1, 1), valid_to_precision="day")
    assert _verdict(a, b, curator) == ("disagrees", "figures_differ_overlapping_times")


def test_without_valid_time_a_claim_speaks_of_its_report_date(bloc, curator):
    early = _troops(_source("early", D(2022, 1, 3)), bloc, value=3_000)
    late = _troops(_source("late", D(2022, 1, 24)), bloc, value=9_000)
    assert _verdict(early, late, curator) == ("changed_over_time", "figures_differ_different_times")


def test_a_month_dated_report_covers_its_whole_month(bloc, curator):
    month = _troops(_source("month", D(2022, 1, 1), "month"), bloc, value=3_000)
    day = _troops(_source("day", D(2022, 1, 24)), bloc, value=9_000)
    assert _verdict(month, day, curator) == ("disagrees", "figures_differ_overlapping_times")
    february = _troops(_source("february", D(2022, 2, 1)), bloc, value=9_000)
    assert _verdict(month, february, curator) == ("changed_over_time", "figures_differ_different_times")


def test_missing_time_on_both_sides_leaves_differing_figures_undetermined(bloc, curator):
    undated = _source("undated", None, "unknown")
    a = _troops(undated, bloc, value=3_000)
    b = _troops(_source("b"), bloc, value=9_000)
    assert _verdict(a, b, curator) == ("undetermined", "figures_differ_time_unknown")


def test_opposed_statuses(bloc, curator):
    def recognition(slug, status, published_on):
        return claim_create(
            source=_source(slug, published_on), kind="recognition", status=status, summary="A position.", subject=bloc
        )

    supports = recognition("s", "supports", D(2022, 1, 1))
    opposes = recognition("o", "opposes", D(2022, 1, 1))
    later = recognition("l", "opposes", D(2023, 1, 1))
    unknown = claim_create(
        source=_source("u", None, "unknown"),
        kind="recognition",
        status="condemned",
        summary="A position.",
        subject=bloc,
    )
    assert _verdict(supports, opposes, curator) == ("disagrees", "opposed_statuses_overlapping_times")
    assert _verdict(supports, later, curator) == ("changed_over_time", "opposed_statuses_different_times")
    assert _verdict(supports, unknown, curator) == ("undetermined", "opposed_statuses_time_unknown")
    # Same status without figures: the rules cannot tell whether it is the same act.
    assert _verdict(opposes, later, curator) == ("undetermined", "figures_missing")
    # Different acts that are not opposed.
    assert _verdict(opposes, unknown, curator) == ("undetermined", "statuses_differ")


def test_a_forecast_is_left_to_curators(bloc, curator):
    forecast = _troops(_source("f"), bloc, value=100_000, status="predicted")
    outcome = _troops(_source("o"), bloc, value=100_000, status="completed")
    assert _verdict(forecast, outcome, curator) == ("undetermined", "forecast")


def test_claims_of_one_document_are_never_paired(bloc, curator):
    source = _source("one")
    a = _troops(source, bloc, value=3_000)
    _troops(source, bloc, value=9_000)
    assert comparison_build(proposition=a.membership.proposition, user=curator).pairs == []


def test_a_curated_relation_wins_and_both_are_shown(bloc, curator):
    a = _troops(_source("a"), bloc, lower=20_000, upper=99_999)
    b = _troops(_source("b"), bloc, lower=100_000)
    claim_relation_create(from_claim=b, to_claim=a, type="corroborates", note="A curator disagrees with the rule.")
    pair = _pair(a, b, curator)
    assert (pair["verdict"], pair["curated_verdict"], pair["decided_verdict"], pair["decided_by"]) == (
        "disagrees",
        "agrees",
        "agrees",
        "curator",
    )
    assert [r["type"] for r in pair["relations"]] == ["corroborates"]


def test_same_event_does_not_decide_a_verdict(bloc, curator):
    a = _troops(_source("a"), bloc, lower=20_000, upper=99_999)
    b = _troops(_source("b"), bloc, lower=100_000)
    claim_relation_create(from_claim=b, to_claim=a, type="same_event")
    pair = _pair(a, b, curator)
    assert (pair["curated_verdict"], pair["decided_verdict"], pair["decided_by"]) == (None, "disagrees", "rule")


def test_disputed_follows_published_claims_and_curated_relations(bloc, curator):
    a = _troops(_source("a"), bloc, lower=20_000, upper=99_999, review_status="published")
    b = _troops(_source("b"), bloc, lower=100_000)  # a draft: the public sees no dispute yet
    a.refresh_from_db()
    assert not a.disputed and not a.membership.proposition.disputed
    claim_update(claim=b, review_status="published")
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.disputed and b.disputed and a.membership.proposition.disputed
    relation = claim_relation_create(from_claim=b, to_claim=a, type="corroborates")
    a.refresh_from_db()
    assert not a.disputed and not a.membership.proposition.disputed
    relation.delete()
    a.refresh_from_db()
    assert a.disputed
    b.delete()
    a.refresh_from_db()
    assert not a.disputed and a.membership.proposition.document_count == 1


def test_a_claim_write_regroups_only_that_claim(bloc, curator):
    a = _troops(_source("a"), bloc, value=3_000)
    b = _troops(_source("b"), bloc, value=9_000)
    assert a.membership.proposition_id == b.membership.proposition_id
    other = Actor.objects.create(slug="other-bloc", name="Other bloc", kind="alliance")
    claim_update(claim=b, subject=other)
    b.membership.refresh_from_db()
    assert b.membership.proposition_id != a.membership.proposition_id
    assert Membership.objects.get(claim=a).proposition.document_count == 0  # drafts are not counted


def test_a_state_and_its_leader_are_grouped_under_their_country(curator):
    state = Actor.objects.create(slug="testland", name="Testland", kind="state", country_id="TV")
    leader = Actor.objects.create(slug="testland-leader", name="Leader", kind="person", country_id="TV")
    a = _troops(_source("a"), state, value=3_000)
    b = _troops(_source("b"), leader, value=3_000)
    assert a.membership.proposition_id == b.membership.proposition_id
    assert a.membership.proposition.subject_country_id == "TV"


def test_as_of_leaves_out_later_reports(bloc, curator):
    a = _troops(_source("a", D(2022, 1, 3)), bloc, value=3_000)
    _troops(_source("b", D(2022, 1, 1), "month"), bloc, value=9_000)
    proposition = a.membership.proposition
    by_end = comparison_build(proposition=proposition, user=curator, as_of=AsOf(D(2022, 1, 10), "period_end"))
    by_start = comparison_build(proposition=proposition, user=curator, as_of=AsOf(D(2022, 1, 10), "period_start"))
    assert [c.pk for c in by_end.claims] == [a.pk] and by_end.pairs == []
    assert len(by_start.claims) == 2 and len(by_start.pairs) == 1
    assert not ClaimRelation.objects.filter(from_claim=a).exists()


def test_an_actor_whose_country_changes_takes_its_claims_along(curator):
    state = Actor.objects.create(slug="testland", name="Testland", kind="state", country_id="TV")
    leader = Actor.objects.create(slug="testland-leader", name="Leader", kind="person", country_id="TV")
    a = _troops(_source("a"), state, value=3_000)
    b = _troops(_source("b"), leader, value=3_000)
    assert a.membership.proposition_id == b.membership.proposition_id
    leader.name = "Renamed leader"
    leader.save()  # a rename changes nothing the grouping reads
    leader.country_id = "TO"
    leader.save()
    b.membership.refresh_from_db()
    assert b.membership.proposition.subject_country_id == "TO"
    assert b.membership.proposition_id != Membership.objects.get(claim=a).proposition_id


# A state said to be growing or shrinking ------------------------------------------------------

JANUARY = {"valid_from": D(2022, 1, 1), "valid_from_precision": "month", "valid_to": D(2022, 1, 1)}
JANUARY["valid_to_precision"] = "month"
_sources = itertools.count()


def _growth(bloc, *, earlier: dict, later: dict, later_first=False):
    """Two claims for the whole of January, reported on 10 and 24 January, with the fields given."""

    def write(slug, published_on, fields):
        # Sources of their own each time, so that a test may make several pairs.
        return _troops(_source(f"{slug}-{next(_sources)}", published_on), bloc, **{**JANUARY, **fields})

    if later_first:  # the later report gets the smaller id
        late = write("late", LATE_JANUARY, later)
        return write("early", D(2022, 1, 10), earlier), late
    return write("early", D(2022, 1, 10), earlier), write("late", LATE_JANUARY, later)


GREW = ("changed_over_time", "figures_differ_state_growing")
DISPUTED = ("disagrees", "figures_differ_overlapping_times")


def test_a_larger_later_figure_for_a_state_said_to_be_growing_changed_over_time(bloc, curator):
    early, late = _growth(bloc, earlier={"value": 60_000, "trend": "growing"}, later={"value": 100_000})
    assert _verdict(early, late, curator) == GREW
    assert Membership.objects.get(claim=early).proposition.disputed is False


def test_the_later_report_may_be_the_one_that_says_growing(bloc, curator):
    # "over 100,000 and growing" after "tens of thousands": the commentary against Kerres.
    early, late = _growth(
        bloc,
        earlier={"lower": 20_000, "upper": 99_999, "qualifier": "range"},
        later={"value": 100_000, "qualifier": "more_than", "trend": "growing"},
    )
    assert (late.quantity_lower, late.quantity_upper) == (100_000, None)
    assert _verdict(early, late, curator) == GREW


def test_without_a_trend_the_same_figures_disagree(bloc, curator):
    early, late = _growth(bloc, earlier={"value": 60_000}, later={"value": 100_000})
    assert _verdict(early, late, curator) == DISPUTED


def test_a_smaller_later_figure_is_no_growth(bloc, curator):
    early, late = _growth(bloc, earlier={"value": 100_000, "trend": "growing"}, later={"value": 60_000})
    assert _verdict(early, late, curator) == DISPUTED
    early, late = _growth(
        bloc, earlier={"value": 100_000}, later={"value": 60_000, "trend": "growing"}, later_first=True
    )
    assert _verdict(early, late, curator) == DISPUTED


def test_the_order_of_the_reports_counts_not_the_order_of_the_claims(bloc, curator):
    early, late = _growth(
        bloc, earlier={"value": 60_000, "trend": "growing"}, later={"value": 100_000}, later_first=True
    )
    assert late.pk < early.pk
    assert _verdict(early, late, curator) == GREW


def test_a_smaller_later_figure_for_a_state_said_to_be_shrinking_changed_over_time(bloc, curator):
    early, late = _growth(bloc, earlier={"value": 100_000, "trend": "shrinking"}, later={"value": 60_000})
    assert _verdict(early, late, curator) == GREW
    early, late = _growth(bloc, earlier={"value": 60_000, "trend": "shrinking"}, later={"value": 100_000})
    assert _verdict(early, late, curator) == DISPUTED


def test_opposite_trends_leave_the_figures_disputed(bloc, curator):
    early, late = _growth(
        bloc, earlier={"value": 60_000, "trend": "growing"}, later={"value": 100_000, "trend": "shrinking"}
    )
    assert _verdict(early, late, curator) == DISPUTED


def test_open_and_one_sided_bounds(bloc, curator):
    # (-∞, 5,000] said to be growing, then [6,000, ∞): no value fits both, and the later lies above.
    early, late = _growth(
        bloc,
        earlier={"value": 5_000, "qualifier": "less_than", "trend": "growing"},
        later={"value": 6_000, "qualifier": "more_than"},
    )
    assert (early.quantity_lower, early.quantity_upper, late.quantity_upper) == (None, 5_000, None)
    assert _verdict(early, late, curator) == GREW
    # An earlier figure open above leaves no room above it: any later figure overlaps or lies below.
    early, late = _growth(
        bloc, earlier={"value": 100_000, "qualifier": "more_than", "trend": "growing"}, later={"value": 60_000}
    )
    assert _verdict(early, late, curator) == DISPUTED


def test_reports_of_the_same_date_have_no_order(bloc, curator):
    a = _troops(_source("a"), bloc, value=60_000, trend="growing", **JANUARY)
    b = _troops(_source("b"), bloc, value=100_000, **JANUARY)
    assert _verdict(a, b, curator) == DISPUTED


def test_a_month_dated_report_counts_from_the_first_day_of_its_month(bloc, curator):
    # As its reported_on says: Kerres's January column comes before the commentary of 24 January.
    month = _troops(_source("month", D(2022, 1, 1), "month"), bloc, value=60_000, **JANUARY)
    day = _troops(_source("day", LATE_JANUARY), bloc, value=100_000, trend="growing", **JANUARY)
    assert _verdict(month, day, curator) == GREW


def test_an_undated_report_has_no_order(bloc, curator):
    undated = _troops(_source("undated", None, "unknown"), bloc, value=60_000, trend="growing", **JANUARY)
    dated = _troops(_source("dated"), bloc, value=100_000, **JANUARY)
    assert _verdict(undated, dated, curator) == DISPUTED


def test_valid_times_apart_still_name_the_trend(bloc, curator):
    early = _troops(_source("early", D(2022, 1, 3)), bloc, value=3_000, trend="growing")
    late = _troops(_source("late", LATE_JANUARY), bloc, value=9_000)
    assert _verdict(early, late, curator) == GREW


def test_writing_a_trend_settles_a_dispute(bloc, curator):
    early, late = _growth(bloc, earlier={"value": 60_000, "review_status": "published"}, later={"value": 100_000})
    claim_update(claim=late, review_status="published")
    early.refresh_from_db()
    assert early.disputed
    claim_update(claim=late, trend="growing")
    early.refresh_from_db()
    late.refresh_from_db()
    assert not early.disputed and not late.disputed
    assert _verdict(early, late, curator) == GREW
