"""Comparisons in the admin, through Django's test client: the claim page's panel and chart, one-click
verdicts, and curator overrides of the grouping (move, split, release, merge) that survive recomputation
and are recorded in history."""

import pytest
from django.test import Client

from apps.claims.models import Claim, ClaimRelation
from apps.comparisons.models import Membership, Proposition
from apps.comparisons.services import propositions_recompute_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator_admin(curator) -> Client:
    client = Client()
    client.force_login(curator)
    return client


def _claim(key: str) -> Claim:
    return Claim.objects.select_related("source").get(key=key)


def _change_url(claim: Claim) -> str:
    return f"/admin/claims/claim/{claim.pk}/change/"


def _act(client, claim: Claim, action: str, **extra):
    return client.post(f"/admin/claims/claim/{claim.pk}/comparison/", {"comparison_action": action, **extra})


def test_the_claim_page_shows_its_comparison_and_chart(curator_admin):
    claim = _claim("kerres-putin-soldiers-around-ukraine")
    page = curator_admin.get(_change_url(claim)).content.decode()
    assert 'id="comparison"' in page
    assert "Troop deployment · Russian Federation · soldiers" in page
    # The two other documents' claims, with computed and curated verdicts.
    for key in ("kempe-putin-100000-soldiers-ukraine-border", "commentary-0124-russia-100000-troops-around-ukraine"):
        assert f'data-claim="{_claim(key).pk}"' in page
    # Against the commentary's "over 100,000 and growing", the rule that says why it changed over time.
    assert "figure lies the way a claim says the state was moving (higher when growing" in page
    assert "≥ 100,000 soldiers (“over 100,000”), growing" in page
    assert "contradicts" in page and "corroborates" in page
    # The chart: an accessible SVG, one labelled interval per claim with a figure.
    assert 'role="img"' in page and '<title id="interval-chart-title">Reported figures' in page
    assert page.count('class="interval"') == 3
    assert "at least 100,000, open above" in page
    assert "20,000 to 99,999" in page


def test_confirming_or_overruling_a_verdict_is_one_click(curator_admin):
    kempe = _claim("kempe-putin-military-technical-ultimatum")
    eggert = _claim("eggert-russia-insists-security-guarantees")
    assert not ClaimRelation.objects.filter(from_claim__in=[kempe, eggert], to_claim__in=[kempe, eggert]).exists()
    response = _act(curator_admin, eggert, f"relate:{kempe.pk}:contradicts")
    assert response.status_code == 302 and response["Location"].endswith("#comparison")
    relation = ClaimRelation.objects.get(from_claim=kempe, to_claim=eggert)  # from the later report
    assert relation.type == "contradicts" and relation.history.count() == 1
    eggert.refresh_from_db()
    assert eggert.disputed
    page = curator_admin.get(_change_url(eggert)).content.decode()
    assert "Recorded: claim" in page
    # Setting the same relation again is refused with a message, not an error page.
    again = _act(curator_admin, eggert, f"relate:{kempe.pk}:contradicts")
    assert again.status_code == 302
    assert "already related" in curator_admin.get(_change_url(eggert)).content.decode()


def test_a_claim_moved_out_stays_out_after_recomputation_and_history_records_it(curator_admin):
    claim = _claim("kempe-putin-100000-soldiers-ukraine-border")
    before = claim.membership.proposition_id
    _act(curator_admin, claim, "split")
    membership = Membership.objects.get(claim=claim)
    assert membership.pinned and membership.proposition_id != before
    assert membership.proposition.key is None
    propositions_recompute_all()
    assert Membership.objects.get(claim=claim).proposition_id == membership.proposition_id
    assert [h.pinned for h in membership.history.all()][:1] == [True]
    # Back: move into the old proposition, then give it back to the rule.
    _act(curator_admin, claim, "move", comparison_move_to=str(before))
    assert Membership.objects.get(claim=claim).proposition_id == before
    _act(curator_admin, claim, "release")
    membership = Membership.objects.get(claim=claim)
    assert membership.proposition_id == before and not membership.pinned


def test_a_move_into_a_proposition_of_another_kind_is_refused_naming_the_field(curator_admin):
    claim = _claim("kempe-putin-100000-soldiers-ukraine-border")
    demands = _claim("kempe-putin-military-technical-ultimatum").membership.proposition
    _act(curator_admin, claim, "move", comparison_move_to=str(demands.pk))
    page = curator_admin.get(_change_url(claim)).content.decode()
    assert "Proposition: Proposition #" in page and "cannot join it" in page  # the field, then why
    assert Membership.objects.get(claim=claim).proposition_id != demands.pk
    _act(curator_admin, claim, "move", comparison_move_to="999999")
    assert "No proposition #999999" in curator_admin.get(_change_url(claim)).content.decode()


def test_merging_propositions_in_the_admin(curator_admin):
    first = _claim("kempe-putin-military-technical-ultimatum").membership.proposition
    second = _claim("kerres-putin-demands-no-nato-eastward-expansion").membership.proposition
    assert first.pk != second.pk and first.kind == second.kind
    members = set(second.memberships.values_list("claim_id", flat=True))
    response = curator_admin.post(
        "/admin/comparisons/proposition/",
        {"action": "merge", "_selected_action": [first.pk, second.pk]},
    )
    assert response.status_code == 302
    into = Proposition.objects.get(pk=min(first.pk, second.pk))
    assert members <= set(into.memberships.values_list("claim_id", flat=True))
    assert not Proposition.objects.filter(pk=max(first.pk, second.pk)).exists()
    propositions_recompute_all()
    assert members <= set(Proposition.objects.get(pk=into.pk).memberships.values_list("claim_id", flat=True))
    assert curator_admin.get(f"/admin/comparisons/proposition/{into.pk}/change/").status_code == 200


def test_merging_propositions_of_different_kinds_is_refused(curator_admin):
    troops = _claim("kempe-putin-100000-soldiers-ukraine-border").membership.proposition
    demands = _claim("kempe-putin-military-technical-ultimatum").membership.proposition
    curator_admin.post(
        "/admin/comparisons/proposition/", {"action": "merge", "_selected_action": [troops.pk, demands.pk]}
    )
    assert Proposition.objects.filter(pk__in=[troops.pk, demands.pk]).count() == 2
