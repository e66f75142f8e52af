"""Comparisons over the API: the five questions of a researcher comparing sources, answered on the
curated fixtures, and the endpoints' filters, errors, visibility and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.claims.models import Claim, ReviewStatus
from apps.comparisons.models import Proposition

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
COMPARISONS = "/api/v1/comparisons/"
KERRES = "kerres-2022-01-putin-kazakhstan-nato"
KEMPE = "kempe-2022-01-biden-critical-week"
COMMENTARY = "commentary-2022-01-24-russian-build-up"
REPORT = "jankowski-bouvery-2022-near-abroad"


def _id(key: str) -> int:
    return Claim.objects.get(key=key).pk


def _comparison(client, key: str, **params) -> dict:
    response = client.get(f"{CLAIMS}{_id(key)}/comparison/", params)
    assert response.status_code == 200, response.json()
    return response.json()


def _decided(pairs: list[dict], verdict: str) -> set[frozenset[int]]:
    return {frozenset(pair["claims"]) for pair in pairs if pair["decided_verdict"] == verdict}


def test_q1_russian_troops_around_ukraine_in_january_2022(api_client):
    """How many Russian troops did sources say were around Ukraine in January 2022, and do they agree?"""
    data = _comparison(api_client, "kerres-putin-soldiers-around-ukraine")
    claims = {c["source"]["slug"]: c for c in data["claims"]}
    assert set(claims) == {KERRES, KEMPE, COMMENTARY}
    figures = {
        slug: (c["quantity"]["text"], c["quantity"]["lower"], c["quantity"]["upper"]) for slug, c in claims.items()
    }
    assert figures == {
        KERRES: ("tens of thousands", 20_000, 99_999),
        KEMPE: ("approximately 100,000", 90_000, 110_000),
        COMMENTARY: ("over 100,000", 100_000, None),
    }
    assert {slug: c["reported_on"] for slug, c in claims.items()} == {
        KERRES: "2022-01-01",  # dated to the month
        KEMPE: "2022-01-01",
        COMMENTARY: "2022-01-24",
    }
    # Valid time as the texts tie it: Kempe's figure to the late-December ultimatum, Kerres's to the
    # month of the column, the commentary's to its own day.
    assert {slug: (c["valid_from"], c["valid_to"]) for slug, c in claims.items()} == {
        KERRES: ("2022-01-01", "2022-01-31"),
        KEMPE: ("2021-12-01", "2021-12-31"),
        COMMENTARY: ("2022-01-24", "2022-01-24"),
    }
    # The span of all reported values, and no value that all three allow.
    assert data["summary"]["reported_range"] == {"lower": 20_000, "upper": None, "unit": "soldiers"}
    assert data["summary"]["common_range"] is None
    assert data["summary"]["documents"] == 3
    # Which pairs disagree, taking time into account: the month-dated "tens of thousands" may describe
    # 24 January as well, and no value fits it and "over 100,000"; but the commentary, reported later,
    # says the build-up keeps growing, and its figure is the larger: a change over time, not a dispute.
    assert claims[COMMENTARY]["trend"] == "growing"
    assert claims[KERRES]["trend"] is None and claims[KEMPE]["trend"] is None
    kerres, kempe, commentary = (claims[slug]["id"] for slug in (KERRES, KEMPE, COMMENTARY))
    computed = {frozenset(p["claims"]): (p["verdict"], p["rule"]) for p in data["pairs"]}
    assert computed == {
        frozenset({kerres, commentary}): ("changed_over_time", "figures_differ_state_growing"),
        frozenset({kerres, kempe}): ("agrees", "figures_overlap"),
        frozenset({kempe, commentary}): ("agrees", "figures_overlap"),
    }
    # The curated relations read the same: changed over time (each pair shows both verdicts).
    by_pair = {frozenset(p["claims"]): p for p in data["pairs"]}
    assert by_pair[frozenset({kerres, commentary})]["curated_verdict"] == "changed_over_time"
    assert _decided(data["pairs"], "disagrees") == set()
    assert _decided(data["pairs"], "changed_over_time") == {
        frozenset({kerres, commentary}),
        frozenset({kempe, commentary}),
    }
    assert data["summary"]["agreement"] == "changed_over_time"
    assert data["proposition"]["kind"] == "troop_deployment"
    assert data["proposition"]["subject_country"]["code"] == "RU"


def test_q1_in_one_request_on_the_comparisons_list(api_client):
    response = api_client.get(COMPARISONS, {"kind": "troop_deployment", "country": "UA"})
    [troops] = [c for c in response.json()["results"] if KERRES in {x["source"]["slug"] for x in c["claims"]}]
    assert {c["source"]["slug"] for c in troops["claims"]} == {KERRES, KEMPE, COMMENTARY}
    assert troops["summary"]["common_range"] is None and len(troops["pairs"]) == 3


def test_q2_what_russia_demanded_of_nato_side_by_side(api_client):
    """What exactly did Russia demand of NATO, and do the sources describe the demand the same way?"""
    data = _comparison(api_client, "commentary-0124-russia-demands-nato-leave-eastern-europe")
    keys = {c["id"]: Claim.objects.get(pk=c["id"]).key for c in data["claims"]}
    assert {"kempe-russia-demands-nato-withdrawal-no-exercises", "eggert-russia-demands-less-nato-activity"} <= set(
        keys.values()
    )
    assert data["proposition"]["object"]["slug"] == "nato"
    ids = {key: pk for pk, key in keys.items()}
    pairs = {frozenset(p["claims"]): p for p in data["pairs"]}
    commentary, kempe, eggert = (
        ids["commentary-0124-russia-demands-nato-leave-eastern-europe"],
        ids["kempe-russia-demands-nato-withdrawal-no-exercises"],
        ids["eggert-russia-demands-less-nato-activity"],
    )
    # Not a quantity: the rules leave it open, the curated relations decide.
    for pair in (pairs[frozenset({commentary, kempe})], pairs[frozenset({commentary, eggert})]):
        assert (pair["verdict"], pair["rule"], pair["decided_by"]) == ("undetermined", "figures_missing", "curator")
    assert pairs[frozenset({commentary, kempe})]["decided_verdict"] == "agrees"
    assert pairs[frozenset({commentary, eggert})]["decided_verdict"] == "disagrees"
    assert pairs[frozenset({kempe, eggert})]["decided_verdict"] == "disagrees"
    assert pairs[frozenset({commentary, eggert})]["relations"][0]["type"] == "contradicts"
    assert data["summary"]["agreement"] == "disagree"
    assert data["summary"]["reported_range"] is None


def test_q3_january_forecasts_borne_out_or_contradicted_by_the_december_report(api_client):
    """Which forecasts made in January 2022 did the December 2022 report bear out or contradict?"""
    response = api_client.get(
        CLAIMS,
        {
            "status": "predicted",
            "reported_from": "2022-01-01",
            "reported_to": "2022-01-31",
            "related": "corroborates,contradicts",
            "page_size": 500,
        },
    )
    assert response.status_code == 200
    outcomes = {}
    for forecast in response.json()["results"]:
        later = [
            (r["type"], r["claim"]["source"])
            for r in forecast["relations"]
            if r["type"] in ("corroborates", "contradicts") and r["claim"]["source"] == REPORT
        ]
        if later:
            outcomes[forecast["key"]] = {t for t, _ in later}
    assert outcomes == {
        "kempe-full-scale-invasion-unlikely": {"contradicts"},
        # Luhansk was annexed as foreseen, but after the full-scale invasion the forecast ruled out.
        "kempe-predicted-russian-territorial-grab": {"contradicts", "corroborates"},
        "kempe-kazakhstan-deeper-integration-predicted": {"contradicts"},
    }
    # Each one's comparison leaves the forecast to the curators rather than guessing.
    forecast = Claim.objects.get(key="kempe-full-scale-invasion-unlikely")
    assert forecast.disputed


def test_q4_what_had_been_reported_about_kazakhstan_by_10_january_2022(api_client):
    """What had been reported about Kazakhstan by 10 January 2022?"""
    certain = api_client.get(CLAIMS, {"country": "KZ", "as_of": "2022-01-10", "page_size": 500})
    possible = api_client.get(
        CLAIMS, {"country": "KZ", "as_of": "2022-01-10", "as_of_rule": "period_start", "page_size": 500}
    )
    everything = api_client.get(CLAIMS, {"country": "KZ", "page_size": 500})
    assert certain.status_code == possible.status_code == 200
    assert certain["As-Of"] == "2022-01-10; rule=period_end"
    assert possible["As-Of"] == "2022-01-10; rule=period_start"
    assert "As-Of" not in everything
    # Only documents dated to the month of January 2022 speak of Kazakhstan before the report of
    # December 2022: by the default rule none of them had certainly appeared by the 10th…
    assert certain.json()["results"] == []
    # …while counted from the first day of their month, both may have.
    sources = {c["source"]["slug"] for c in possible.json()["results"]}
    assert sources == {KERRES, KEMPE}
    assert REPORT in {c["source"]["slug"] for c in everything.json()["results"]}
    assert all(c["reported_on"] <= "2022-01-10" for c in possible.json()["results"])
    # By the end of January both count under either rule.
    january = api_client.get(CLAIMS, {"country": "KZ", "as_of": "2022-01-31", "page_size": 500}).json()["results"]
    assert {c["source"]["slug"] for c in january} == {KERRES, KEMPE}


def test_q5_claims_about_ukraine_another_source_disputes(api_client):
    """Which claims about Ukraine does another source dispute?"""
    response = api_client.get(CLAIMS, {"disputed": "true", "country": "UA", "page_size": 500})
    assert response.status_code == 200
    disputed = {c["key"] for c in response.json()["results"]}
    assert "kempe-full-scale-invasion-unlikely" in disputed
    # The troop figures changed over time, as the curated links say: no longer a dispute.
    assert not {"kerres-putin-soldiers-around-ukraine", "kempe-putin-100000-soldiers-ukraine-border"} & disputed
    # Each answer is disputed by a published claim of another document, and no other claim about Ukraine is.
    undisputed = {
        c["key"]
        for c in api_client.get(CLAIMS, {"disputed": "false", "country": "UA", "page_size": 500}).json()["results"]
    }
    for claim in Claim.objects.filter(country_links__country="UA", review_status=ReviewStatus.PUBLISHED):
        comparison = _comparison(api_client, claim.key)
        by_pair = any(
            claim.pk in pair["claims"] and pair["decided_verdict"] == "disagrees" for pair in comparison["pairs"]
        )
        by_relation = (
            claim.relations_from.filter(type="contradicts", to_claim__review_status="published")
            .exclude(to_claim__source=claim.source)
            .exists()
            or claim.relations_to.filter(type="contradicts", from_claim__review_status="published")
            .exclude(from_claim__source=claim.source)
            .exists()
        )
        assert (claim.key in disputed) == (by_pair or by_relation), claim.key
        assert (claim.key in undisputed) != (claim.key in disputed)


def test_comparisons_list_disputed_first_and_filtered(api_client):
    response = api_client.get(COMPARISONS, {"page_size": 500})
    assert response.status_code == 200
    results = response.json()["results"]
    assert results and all(c["proposition"]["document_count"] >= 2 for c in results)
    flags = [c["proposition"]["disputed"] for c in results]
    assert flags == sorted(flags, reverse=True) and flags[0]
    troops = api_client.get(COMPARISONS, {"kind": "troop_deployment", "country": "ua", "disputed": "false"}).json()
    assert "Troop deployment · Russian Federation · soldiers" in [c["proposition"]["label"] for c in troops["results"]]
    nato = api_client.get(COMPARISONS, {"actor": "nato", "page_size": 500}).json()["results"]
    by_actor = {c["proposition"]["label"] for c in nato}
    assert "Diplomatic demand · Russian Federation · → NATO" in by_actor
    assert "Troop deployment · Russian Federation · soldiers" not in by_actor
    # Each item is the whole comparison, as its own URL gives it.
    first = troops["results"][0]
    detail = api_client.get(first["proposition"]["url"])
    assert detail.status_code == 200 and detail.json() == first


def test_comparisons_list_pages_with_keyset_cursors(api_client):
    everything = [c["proposition"]["id"] for c in api_client.get(COMPARISONS, {"page_size": 500}).json()["results"]]
    seen, url = [], COMPARISONS + "?page_size=2"
    while url:
        page = api_client.get(url).json()
        seen += [c["proposition"]["id"] for c in page["results"]]
        url = page["next"]
    assert seen == everything and len(seen) > 2


def test_disputed_and_as_of_combine_with_other_filters_and_keyset_pages(api_client):
    params = {"disputed": "true", "as_of": "2022-12-31", "kind": "troop_deployment,intervention,other"}
    everything = [c["id"] for c in api_client.get(CLAIMS, {**params, "page_size": 500}).json()["results"]]
    seen, response = [], api_client.get(CLAIMS, {**params, "page_size": 1})
    while True:
        body = response.json()
        seen += [c["id"] for c in body["results"]]
        if not body["next"]:
            break
        response = api_client.get(body["next"])
    assert seen == everything and len(seen) >= 2
    assert all(Claim.objects.get(pk=pk).disputed for pk in seen)


def test_comparisons_as_of_counts_documents_reported_by_then(api_client):
    before = api_client.get(COMPARISONS, {"as_of": "2022-01-10", "page_size": 500})
    assert before["As-Of"] == "2022-01-10; rule=period_end"
    assert before.json()["results"] == []  # only Eggert's document had certainly appeared
    possible = api_client.get(COMPARISONS, {"as_of": "2022-01-10", "as_of_rule": "period_start", "page_size": 500})
    troops = next(c for c in possible.json()["results"] if c["proposition"]["kind"] == "troop_deployment")
    assert {c["source"]["slug"] for c in troops["claims"]} == {KERRES, KEMPE}
    detail = api_client.get(troops["proposition"]["url"], {"as_of": "2022-01-10", "as_of_rule": "period_start"})
    assert detail["As-Of"] == "2022-01-10; rule=period_start"
    body = detail.json()
    assert body["as_of"]["rule"] == "period_start" and "first day" in body["as_of"]["description"]
    # The commentary of 24 January had not appeared yet.
    assert {c["source"]["slug"] for c in body["claims"]} == {KERRES, KEMPE}
    assert body["summary"]["agreement"] == "agree"


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        (CLAIMS, {"disputed": "maybe"}, "disputed"),
        (CLAIMS, {"as_of": "2022-02-30"}, "as_of"),
        (CLAIMS, {"as_of": "2022-01-10", "as_of_rule": "sometime"}, "as_of_rule"),
        (COMPARISONS, {"disputed": "yes"}, "disputed"),
        (COMPARISONS, {"as_of": "10/01/2022x"}, "as_of"),
        (COMPARISONS, {"kind": "nope"}, "kind"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(api_client, path, params, field):
    response = api_client.get(path, params)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_bad_as_of_on_a_comparison_is_400(api_client):
    proposition = Proposition.objects.filter(document_count__gte=2).first()
    response = api_client.get(f"{COMPARISONS}{proposition.pk}/", {"as_of": "soon"})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "as_of"


def test_unknown_ids_are_404(api_client):
    assert api_client.get(f"{COMPARISONS}999999/").status_code == 404
    assert api_client.get(f"{CLAIMS}999999/comparison/").json()["code"] == "not_found"


def test_anonymous_readers_never_see_drafts_in_comparisons(api_client, curator_client):
    claim = Claim.objects.get(key="kempe-putin-100000-soldiers-ukraine-border")
    Claim.objects.filter(pk=claim.pk).update(review_status=ReviewStatus.DRAFT)
    try:
        public = _comparison(api_client, "kerres-putin-soldiers-around-ukraine")
        assert claim.pk not in {c["id"] for c in public["claims"]}
        assert all(claim.pk not in p["claims"] for p in public["pairs"])
        assert api_client.get(f"{CLAIMS}{claim.pk}/comparison/").status_code == 404
        curated = _comparison(curator_client, "kerres-putin-soldiers-around-ukraine")
        assert claim.pk in {c["id"] for c in curated["claims"]}
    finally:
        Claim.objects.filter(pk=claim.pk).update(review_status=ReviewStatus.PUBLISHED)


def test_a_comparison_costs_the_same_queries_whatever_its_size(api_client, uncached):
    counts = []
    for key in ("kempe-geneva-brussels-vienna-talks", "commentary-0124-russia-demands-nato-leave-eastern-europe"):
        claim = Claim.objects.get(key=key)
        for url in (f"{CLAIMS}{claim.pk}/comparison/", f"{COMPARISONS}{claim.membership.proposition_id}/"):
            with CaptureQueriesContext(connection) as queries:
                assert api_client.get(url).status_code == 200
            counts.append(len(queries))
    # The proposition with the actors its label names (and whether the reader may see it), the countries it
    # names, the claims, the pairs (their times are for charts: the API reads none).
    assert counts == [4, 4, 4, 4]


def test_a_comparison_gives_its_pairs_a_page_at_a_time_and_links_to_the_rest(api_client, monkeypatch, uncached):
    from apps.comparisons.api import views

    key = "commentary-0124-russia-demands-nato-leave-eastern-europe"
    whole = _comparison(api_client, key)
    assert whole["pairs_count"] == len(whole["pairs"]) > 8
    assert whole["pairs_next"] is None and whole["pairs_previous"] is None

    monkeypatch.setattr(views, "PAIRS_PER_RESPONSE", 4)
    page = _comparison(api_client, key)
    assert len(page["pairs"]) == 4 and page["pairs_previous"] is None
    walked, pages = [], []
    while True:
        # Every page has every claim and the summary of every pair, not only of its own.
        assert page["claims"] == whole["claims"] and page["summary"] == whole["summary"]
        assert page["pairs_count"] == whole["pairs_count"]
        walked += page["pairs"]
        pages.append(page)
        if page["pairs_next"] is None:
            break
        response = api_client.get(page["pairs_next"])
        assert response.status_code == 200
        page = response.json()
    assert walked == whole["pairs"] and len(pages) == -(-whole["pairs_count"] // 4)
    back = api_client.get(pages[-1]["pairs_previous"]).json()
    assert back["pairs"] == pages[-2]["pairs"]


def test_pair_links_keep_the_as_of_that_selected_the_claims(api_client, monkeypatch, uncached):
    from apps.comparisons.api import views

    key = "kerres-putin-soldiers-around-ukraine"
    as_of = {"as_of": "2022-02-01", "as_of_rule": "period_start"}
    whole = _comparison(api_client, key, **as_of)
    monkeypatch.setattr(views, "PAIRS_PER_RESPONSE", 1)
    first = _comparison(api_client, key, **as_of)
    assert first["pairs_count"] == whole["pairs_count"] == 3 and first["pairs"] == whole["pairs"][:1]
    following = api_client.get(first["pairs_next"])
    assert following["As-Of"] == "2022-02-01; rule=period_start"
    assert following.json()["pairs"] == whole["pairs"][1:2]
    past_the_end = _comparison(api_client, key, **as_of, pairs_offset=3)
    assert past_the_end["pairs"] == [] and past_the_end["pairs_next"] is None
    assert past_the_end["summary"] == whole["summary"]


@pytest.mark.parametrize("offset", ["-1", "first", "1.5"])
def test_a_bad_pairs_offset_is_400_naming_it(api_client, offset):
    response = api_client.get(
        f"{CLAIMS}{_id('kerres-putin-soldiers-around-ukraine')}/comparison/", {"pairs_offset": offset}
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["pairs_offset"]


def test_curators_regroup_claims_through_the_api_and_overrides_survive_recomputation(api_client, curator_client):
    from apps.comparisons.models import Membership
    from apps.comparisons.services import propositions_recompute_all

    claim = Claim.objects.get(key="kempe-putin-100000-soldiers-ukraine-border")
    home = claim.membership.proposition
    assert api_client.post(f"{COMPARISONS}split/", {"claims": [claim.pk]}, format="json").status_code in (401, 403)

    split = curator_client.post(f"{COMPARISONS}split/", {"claims": [claim.pk], "note": "A different build-up."})
    assert split.status_code == 201
    alone = split.json()["proposition"]
    assert alone["curated"] and [c["id"] for c in split.json()["claims"]] == [claim.pk]
    propositions_recompute_all()
    membership = Membership.objects.get(claim=claim)
    assert membership.proposition_id == alone["id"] and membership.pinned
    assert membership.history.first().note == "A different build-up."

    moved = curator_client.post(f"{COMPARISONS}{home.pk}/claims/", {"claim": claim.pk})
    assert moved.status_code == 200 and claim.pk in {c["id"] for c in moved.json()["claims"]}
    assert not Proposition.objects.filter(pk=alone["id"]).exists()  # emptied, so gone

    released = curator_client.post(f"{COMPARISONS}release/", {"claim": claim.pk})
    assert released.status_code == 200 and released.json()["proposition"]["id"] == home.pk
    assert not Membership.objects.get(claim=claim).pinned


def test_api_overrides_refuse_mixing_kinds_naming_the_field(curator_client):
    troops = Claim.objects.get(key="kempe-putin-100000-soldiers-ukraine-border")
    demands = Claim.objects.get(key="kempe-putin-military-technical-ultimatum").membership.proposition
    response = curator_client.post(f"{COMPARISONS}{demands.pk}/claims/", {"claim": troops.pk})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["proposition"]
    merge = curator_client.post(
        f"{COMPARISONS}{demands.pk}/merge/", {"propositions": [troops.membership.proposition_id]}
    )
    assert merge.status_code == 400 and merge.json()["errors"][0]["field"] == "proposition"
    split = curator_client.post(f"{COMPARISONS}split/", {"claims": [troops.pk, demands.memberships.first().claim_id]})
    assert split.status_code == 400 and split.json()["errors"][0]["field"] == "claims"
    missing = curator_client.post(f"{COMPARISONS}999999/claims/", {"claim": troops.pk})
    assert missing.status_code == 404
    bad = curator_client.post(f"{COMPARISONS}{demands.pk}/claims/", {"claim": 999999})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "claim"


def test_merging_through_the_api(curator_client):
    first = Claim.objects.get(key="kempe-putin-military-technical-ultimatum").membership.proposition
    second = Claim.objects.get(key="kerres-putin-demands-no-nato-eastward-expansion").membership.proposition
    members = set(second.memberships.values_list("claim_id", flat=True))
    response = curator_client.post(f"{COMPARISONS}{first.pk}/merge/", {"propositions": [second.pk]})
    assert response.status_code == 200
    assert members <= {c["id"] for c in response.json()["claims"]}
    assert not Proposition.objects.filter(pk=second.pk).exists()


def test_a_comparisons_page_costs_the_same_queries_whatever_its_length(api_client):
    counts = []
    for size in (1, 50):
        with CaptureQueriesContext(connection) as queries:
            response = api_client.get(COMPARISONS, {"page_size": size})
            assert response.status_code == 200
        counts.append(len(queries))
    assert len(response.json()["results"]) > 5
    assert counts[0] == counts[1] <= 6
