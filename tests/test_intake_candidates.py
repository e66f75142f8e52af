"""Candidate claims proposed from a source's text, checked against the curated claims of all five documents."""

import pytest

from apps.claims.models import Claim
from apps.intake.candidates import gazetteer_build, quantities_in
from apps.intake.models import DismissedCandidate
from apps.intake.selectors import source_candidates
from apps.sources.models import Source

pytestmark = pytest.mark.django_db


def amount(text: str):
    (found,) = quantities_in(text, 0, len(text))
    return found.text, found.lower, found.upper, found.qualifier, found.unit


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("Russia has amassed over 100,000 troops.", ("over 100,000", 100000, None, "more_than", "soldiers")),
        ("Approximately 100,000 soldiers.", ("Approximately 100,000", 90000, 110000, "approximately", "soldiers")),
        ("It controls 63% of the territory.", ("63%", 63, 63, "exact", "percent")),
        ("Almost half of the border is undrawn.", ("Almost half", 45, 50, "less_than", "percent")),
        ("Tens of thousands of soldiers gathered.", ("Tens of thousands", 20000, 99999, "range", "soldiers")),
        ("Dozens of people were killed.", ("Dozens", 24, 99, "range", "people")),
        ("They sent two ships.", ("two", 2, 2, "exact", "ships")),
        ("It happened for the second time ever.", ("second", 2, 2, "exact", "rank")),
        ("The war has lasted seven years.", ("seven", 7, 7, "exact", "years")),
        ("This thirty-year frozen conflict.", ("thirty", 30, 30, "exact", "years")),
        ("It was seen so by more than one state.", ("more than one", 1, None, "more_than", "countries")),
    ],
)  # fmt: skip
def test_amounts_get_the_bounds_claims_get(sentence, expected):
    assert amount(sentence) == expected


@pytest.mark.parametrize(
    "sentence", ["It was signed in 2022.", "The talks began on 10 January.", "On January 24 it fell."]
)
def test_years_and_days_are_not_amounts(sentence):
    assert quantities_in(sentence, 0, len(sentence)) == []


@pytest.mark.parametrize("sentence", ["It is military one-upmanship.", "One should be wary.", "This is one of them."])
def test_one_without_a_bound_is_not_a_count(sentence):
    assert quantities_in(sentence, 0, len(sentence)) == []


def test_names_of_countries_and_actors_are_found():
    gazetteer = gazetteer_build(
        countries=[("KZ", ["Kazakhstan"]), ("RU", ["Russian Federation", "Russia"])],
        actors=[("csto", ["CSTO", "Collective Security Treaty Organization"], None)],
    )
    text = "The CSTO sent troops to Kazakhstan."
    mentions = gazetteer.mentions(text, 0, len(text))
    assert [(m.text, m.country, m.actor) for m in mentions] == [("CSTO", None, "csto"), ("Kazakhstan", "KZ", None)]


@pytest.mark.parametrize("slug", [
    "kerres-2022-01-putin-kazakhstan-nato",
    "kempe-2022-01-biden-critical-week",
    "commentary-2022-01-24-russian-build-up",
    "eggert-2021-12-31-what-putin-wants",
    "jankowski-bouvery-2022-near-abroad",
])  # fmt: skip
def test_every_curated_quantity_is_among_the_candidates(slug):
    source = Source.objects.get(slug=slug)
    proposed = [candidate for candidate, _ in source_candidates(source=source) if candidate.quantity]
    curated = Claim.objects.filter(source=source).exclude(quantity_text="").select_related("anchor")
    missed = []
    for claim in curated:
        if not any(
            c.start < claim.anchor.end
            and c.end > claim.anchor.start
            and (c.quantity.lower, c.quantity.upper) == (claim.quantity_lower, claim.quantity_upper)
            for c in proposed
        ):
            missed.append((claim.key, claim.quantity_text, claim.quantity_lower, claim.quantity_upper))
    assert not missed


def test_candidates_are_for_curators_only_and_dismissals_are_remembered(api_client, curator_client):
    slug = "kerres-2022-01-putin-kazakhstan-nato"
    url = f"/api/v1/sources/{slug}/candidates/"
    refused = api_client.get(url)
    assert refused.status_code == 404
    assert refused.json()["status"] == 404

    body = curator_client.get(url).json()
    assert body["source"] == slug and body["count"] == len(body["results"]) > 0
    text = Source.objects.get(slug=slug).text
    for candidate in body["results"]:
        assert text[candidate["start"] : candidate["end"]] == candidate["text"], "passages are verbatim"
    troops = next(c for c in body["results"] if c["quantity"] and c["quantity"]["text"] == "tens of thousands")
    assert troops["quantity"]["lower"] == 20000 and troops["kind"] == "troop_deployment"
    assert troops["claims"], "the curated claim quoting this sentence is named"

    DismissedCandidate.objects.create(
        source=Source.objects.get(slug=slug),
        start=troops["start"],
        end=troops["end"],
        quantity_text="tens of thousands",
    )
    again = curator_client.get(url).json()
    assert again["count"] == body["count"] - 1
    assert not any(c["quantity"] and c["quantity"]["text"] == "tens of thousands" for c in again["results"])
    assert curator_client.get("/api/v1/sources/no-such-source/candidates/").status_code == 404
