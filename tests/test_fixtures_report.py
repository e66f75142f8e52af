"""The policy report's claims, read as a fact-checker would: what the authors say, not more."""

import re

import pytest

from apps.claims.models import Claim

pytestmark = pytest.mark.django_db

REPORT = "jankowski-bouvery-2022-near-abroad"


def report_claims():
    return Claim.objects.filter(source__slug=REPORT).select_related("anchor", "subject", "object")


def test_a_summary_adds_no_degree_the_text_does_not_state():
    degree_words = re.compile(r"\b(largely|mostly|mainly|chiefly|primarily|overwhelmingly)\b", re.IGNORECASE)
    for claim in report_claims():
        for word in degree_words.findall(claim.summary):
            assert word.lower() in claim.anchor.exact.lower(), (claim.key, word)
    exodus = Claim.objects.get(key="jb-russia-exodus-700000-after-mobilisation")
    assert (exodus.quantity_qualifier, exodus.quantity_lower, exodus.quantity_upper) == (
        "approximately",
        630000,
        770000,
    )


def test_a_party_to_a_joint_agreement_is_not_its_object():
    army_group = Claim.objects.get(key="jb-russia-belarus-joint-army-group-9000")
    assert army_group.subject.slug == "belarus"
    assert army_group.object is None
    assert {country.code for country in army_group.countries.all()} == {"BY", "RU"}


def test_almost_a_figure_is_bounded_on_both_sides():
    for claim in report_claims().filter(quantity_text__icontains="almost"):
        assert claim.quantity_lower is not None and claim.quantity_upper is not None, claim.key
        assert claim.quantity_lower < claim.quantity_upper <= claim.quantity_value, claim.key
    border = Claim.objects.get(key="jb-kyrgyz-tajik-border-almost-half-undrawn")
    assert (border.quantity_lower, border.quantity_upper, border.quantity_unit) == (45, 50, "percent")


def test_a_military_base_is_one_the_text_describes():
    bases = report_claims().filter(kind="military_base")
    assert bases.exists()
    for claim in bases:
        assert re.search(r"\bbase\b|military establishments", claim.anchor.exact), claim.key
    outpost = Claim.objects.get(key="jb-turkey-outpost-azerbaijan")
    assert outpost.kind == "other"
    assert outpost.confidence != "high"


def test_a_statement_is_not_recorded_as_a_measure():
    statement = Claim.objects.get(key="jb-xi-opposes-instrumentalisation-food-energy")
    assert statement.kind == "other"
    # Xi names no one: that Putin is criticised is the authors' reading, not Xi's act.
    assert statement.object is None
    for claim in report_claims().filter(kind="energy_measure"):
        assert re.search(r"oil|gas|hydrocarbon", claim.anchor.exact), claim.key


def test_an_inference_of_the_authors_is_not_an_act_of_the_actor():
    inferred = Claim.objects.get(key="jb-russia-no-military-intervention-south-caucasus")
    assert inferred.status == "predicted"
    assert inferred.summary.startswith("The authors infer")


def test_every_state_of_the_report_has_a_valid_time():
    for claim in report_claims().filter(status="ongoing"):
        assert claim.valid_from or claim.valid_to, claim.key


def test_the_kazakhstan_intervention_is_an_intervention_with_its_troop_figure():
    intervention = Claim.objects.get(key="jb-russia-paratroopers-kazakhstan-january-2022")
    assert (intervention.kind, intervention.location_id) == ("intervention", "KZ")
    assert (intervention.quantity_value, intervention.quantity_unit) == (3000, "soldiers")
