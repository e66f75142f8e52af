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


@pytest.mark.parametrize(
    ("key", "parties"),
    [
        ("jb-russia-belarus-joint-army-group-9000", {"BY", "RU"}),
        ("jb-china-russia-joint-exercises", {"CN", "RU"}),
        ("jb-kyrgyz-tajik-bilateral-agreements", {"KG", "TJ"}),
    ],
)
def test_a_party_to_a_joint_act_is_not_its_object(key, parties):
    joint = Claim.objects.get(key=key)
    assert joint.object is None
    assert joint.subject.country_id in parties
    assert parties <= {country.code for country in joint.countries.all()}


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
    assert (inferred.status, inferred.stance) == ("predicted", "prediction")
    assert inferred.summary.startswith("The authors infer")
    for claim in report_claims().filter(status__in=["refused", "denied"]):
        assert claim.stance in ("stated", "attributed"), claim.key


def test_a_pretended_condemnation_is_doubted():
    pretended = Claim.objects.get(key="jb-turkey-condemns-invasion")
    assert (pretended.status, pretended.stance) == ("condemned", "doubted")
    for claim in report_claims():
        if re.search(r"\bpretends?\b|remains speculative", claim.anchor.exact):
            assert claim.stance == "doubted", claim.key


def test_the_report_says_whose_word_and_how_sure():
    claims = report_claims()
    for claim in claims.filter(stance="attributed"):
        assert claim.claimant_id is not None, claim.key
    for claim in claims.filter(claimant__isnull=False):
        assert claim.stance == "attributed", claim.key
    for claim in claims.filter(status="predicted"):
        assert claim.stance in ("prediction", "hedged"), claim.key
    assert set(claims.values_list("stance", flat=True)) == {
        "stated",
        "attributed",
        "assessment",
        "prediction",
        "hedged",
        "doubted",
    }


def test_requests_are_not_demands():
    for key in ("jb-tajikistan-asks-putin-for-respect", "jb-russia-urges-kyrgyz-tajik-dialogue"):
        assert Claim.objects.get(key=key).status == "requested"
    clause = Claim.objects.get(key="jb-armenia-invokes-csto-solidarity-clause")
    assert clause.status == "requested"
    assert (clause.quantity_value, clause.quantity_unit) == (2, "rank")


def test_a_casualty_report_without_a_toll_keeps_its_kind():
    clashes = Claim.objects.get(key="jb-kyrgyz-tajik-clashes-deadliest-in-30-years")
    assert clashes.kind == "casualties"
    assert not clashes.has_quantity


def test_every_state_of_the_report_has_a_valid_time():
    for claim in report_claims().filter(status="ongoing"):
        assert claim.valid_from or claim.valid_to, claim.key


def test_the_kazakhstan_intervention_is_an_intervention_with_its_troop_figure():
    intervention = Claim.objects.get(key="jb-russia-paratroopers-kazakhstan-january-2022")
    assert (intervention.kind, intervention.location_id) == ("intervention", "KZ")
    assert (intervention.quantity_value, intervention.quantity_unit) == (3000, "soldiers")
