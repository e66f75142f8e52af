"""The seven questions users ask, each answered by one request against the curated fixtures."""

import pytest

from apps.claims.models import Claim, ReviewStatus

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"


def _results(client, **params):
    response = client.get(CLAIMS, {"page_size": 500, **params})
    assert response.status_code == 200, response.json()
    return response.json()["results"]


def test_q1_troop_numbers_near_ukraine_reported_in_january_2022(api_client):
    # Deployments reported without a number are troop deployments too; the unit asks for the counted ones.
    results = _results(
        api_client,
        kind="troop_deployment",
        unit="soldiers",
        country="ua",
        reported_from="2022-01-01",
        reported_to="2022-01-31",
    )
    reported = {(c["source"]["slug"], c["quantity"]["text"], c["quantity"]["qualifier"]) for c in results}
    assert reported == {
        ("kerres-2022-01-putin-kazakhstan-nato", "tens of thousands", "range"),
        ("kempe-2022-01-biden-critical-week", "approximately 100,000", "approximately"),
        ("commentary-2022-01-24-russian-build-up", "over 100,000", "more_than"),
    }
    bounds = {c["source"]["slug"]: (c["quantity"]["lower"], c["quantity"]["upper"]) for c in results}
    assert bounds["kerres-2022-01-putin-kazakhstan-nato"] == (20000, 99999)
    assert bounds["kempe-2022-01-biden-critical-week"] == (90000, 110000)
    assert bounds["commentary-2022-01-24-russian-build-up"] == (100000, None)
    # "over 100,000 and growing": the commentary alone says which way the number moves.
    trends = {c["source"]["slug"]: c["trend"] for c in results}
    assert trends == {
        "kerres-2022-01-putin-kazakhstan-nato": None,
        "kempe-2022-01-biden-critical-week": None,
        "commentary-2022-01-24-russian-build-up": "growing",
    }
    # Newest source first, each with the passage that says it.
    assert [c["reported_on"] for c in results] == sorted((c["reported_on"] for c in results), reverse=True)
    assert all(c["anchor"]["exact"] and c["quantity"]["unit"] == "soldiers" for c in results)


def test_q2_who_refused_to_recognise_or_condemned_the_annexation(api_client):
    results = _results(api_client, kind="recognition", status="refused,condemned")
    answers = {(c["subject"]["slug"], c["status"]) for c in results}
    assert ("kazakhstan", "refused") in answers
    assert ("uzbekistan", "condemned") in answers
    assert all(c["location"]["code"] == "UA" for c in results)
    assert all("annex" in (c["summary"] + c["anchor"]["exact"]).lower() for c in results)


def test_q3_sanctions_threatened_against_russia_and_by_whom(api_client):
    results = _results(api_client, kind="sanctions", status="threatened", object="russia,vladimir-putin")
    assert {c["subject"]["slug"] for c in results} == {"united-states"}
    assert {c["source"]["slug"] for c in results} == {
        "kempe-2022-01-biden-critical-week",
        "commentary-2022-01-24-russian-build-up",
    }
    assert all(c["status"] == "threatened" for c in results)


def test_q4_everything_about_kazakhstan_in_any_role(api_client):
    results = _results(api_client, country="KZ")
    expected = set()
    for claim in Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).select_related("subject", "object"):
        touched = {
            claim.location_id,
            getattr(claim.subject, "country_id", None),
            getattr(claim.object, "country_id", None),
        }
        touched |= {c.code for c in claim.countries.all()}
        if "KZ" in touched:
            expected.add(claim.id)
    assert {c["id"] for c in results} == expected
    roles = {
        "location": any((c["location"] or {}).get("code") == "KZ" for c in results),
        "subject": any((c["subject"] or {}).get("slug") in ("kazakhstan", "kassym-jomart-tokayev") for c in results),
        "involved": any(
            "KZ" in {x["code"] for x in c["countries"]} and (c["location"] or {}).get("code") != "KZ" for c in results
        ),
    }
    assert all(roles.values()), roles


def test_q5_which_claims_contradict_each_other_and_what_each_side_says(api_client):
    results = _results(api_client, related="contradicts")
    assert results
    for claim in results:
        sides = [r for r in claim["relations"] if r["type"] == "contradicts"]
        assert sides, claim["key"]
        assert all(side["claim"]["summary"] and side["claim"]["url"] for side in sides)
    by_key = {c["key"]: c for c in results}
    demand = by_key["eggert-russia-demands-less-nato-activity"]
    other_sides = {r["claim"]["source"] for r in demand["relations"] if r["type"] == "contradicts"}
    assert other_sides == {"commentary-2022-01-24-russian-build-up", "kempe-2022-01-biden-critical-week"}
    # Figures for a growing build-up weeks apart are a change over time, not a contradiction.
    assert "kerres-putin-soldiers-around-ukraine" not in by_key
    changed = _results(api_client, related="changed_over_time", source="kerres-2022-01-putin-kazakhstan-nato")
    build_up = next(c for c in changed if c["key"] == "kerres-putin-soldiers-around-ukraine")
    assert {r["claim"]["source"] for r in build_up["relations"] if r["type"] == "changed_over_time"} == {
        "commentary-2022-01-24-russian-build-up"
    }


def test_q6_the_exact_passage_and_its_position_behind_a_claim(api_client):
    claim = Claim.objects.get(key="kempe-putin-100000-soldiers-ukraine-border")
    data = api_client.get(f"{CLAIMS}{claim.id}/").json()
    anchor = data["anchor"]
    text = api_client.get(data["source"]["url"]).json()["text"]
    assert text[anchor["start"] : anchor["end"]] == anchor["exact"]
    assert "approximately 100,000 soldiers" in anchor["exact"]
    assert text[anchor["start"] - len(anchor["prefix"]) : anchor["start"]] == anchor["prefix"]
    assert text[anchor["end"] : anchor["end"] + len(anchor["suffix"])] == anchor["suffix"]


def test_q7_what_a_source_claimed_in_order_of_appearance(api_client):
    slug = "kerres-2022-01-putin-kazakhstan-nato"
    results = _results(api_client, source=slug, ordering="position")
    starts = [c["anchor"]["start"] for c in results]
    assert starts == sorted(starts)
    assert len(results) == Claim.objects.filter(source__slug=slug, review_status=ReviewStatus.PUBLISHED).count()
    assert {c["source"]["slug"] for c in results} == {slug}
