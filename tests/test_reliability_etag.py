"""Optimistic concurrency: ETags on detail responses, If-Match on writes, 412 on a stale version, no lost update."""

import threading

import httpx
import pytest

from apps.actors.models import Actor
from apps.claims.models import Claim
from apps.sources.models import Source
from tests.samples import SOURCE, claim_body

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"type", "title", "status", "detail", "instance", "code", "errors"}


def _new_claim(client, **overrides) -> dict:
    response = client.post("/api/v1/claims/", claim_body(**overrides), format="json")
    assert response.status_code == 201, response.json()
    return response


@pytest.fixture
def actor(curator_client):
    response = curator_client.post(
        "/api/v1/actors/", {"slug": "etag-test-actor", "name": "ETag test", "kind": "other"}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response


def test_detail_reads_and_writes_carry_a_strong_etag_that_changes_with_the_resource(curator_client, actor):
    url = "/api/v1/actors/etag-test-actor/"
    created_etag = actor["ETag"]
    assert created_etag.startswith('"') and created_etag.endswith('"') and len(created_etag) > 10
    read = curator_client.get(url)
    assert read["ETag"] == created_etag  # the write's answer is exactly what a GET returns
    assert curator_client.get(url)["ETag"] == created_etag  # stable while nothing changes

    patched = curator_client.patch(url, {"description": "changed"}, format="json", HTTP_IF_MATCH=created_etag)
    assert patched.status_code == 200, patched.json()
    assert patched["ETag"] != created_etag
    assert curator_client.get(url)["ETag"] == patched["ETag"]

    published = Claim.objects.filter(review_status="published").first()
    for path in (f"/api/v1/sources/{SOURCE}/", f"/api/v1/claims/{published.id}/"):
        assert curator_client.get(path)["ETag"].startswith('"')


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_stale_if_match_is_a_412_and_changes_nothing(curator_client, actor, method):
    url = "/api/v1/actors/etag-test-actor/"
    stale = actor["ETag"]
    assert curator_client.patch(url, {"description": "first writer"}, format="json").status_code == 200

    body = {"slug": "etag-test-actor", "name": "Second writer", "kind": "other", "description": "second writer"}
    response = getattr(curator_client, method)(url, body, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    error = response.json()
    assert set(error) == ERROR_KEYS
    assert error["status"] == 412 and error["code"] == "precondition_failed"
    assert "If-Match" in error["detail"]
    current = Actor.objects.get(slug="etag-test-actor")
    assert (current.name, current.description) == ("ETag test", "first writer")


def test_if_match_accepts_the_current_etag_among_several_or_a_star_and_never_a_weak_one(curator_client, actor):
    url = "/api/v1/actors/etag-test-actor/"
    current = actor["ETag"]
    weak = curator_client.patch(url, {"description": "weak"}, format="json", HTTP_IF_MATCH=f"W/{current}")
    assert weak.status_code == 412  # If-Match uses the strong comparison
    several = curator_client.patch(url, {"description": "several"}, format="json", HTTP_IF_MATCH=f'"nope", {current}')
    assert several.status_code == 200
    star = curator_client.patch(url, {"description": "star"}, format="json", HTTP_IF_MATCH="*")
    assert star.status_code == 200
    garbage = curator_client.patch(url, {"description": "garbage"}, format="json", HTTP_IF_MATCH="not-an-etag")
    assert garbage.status_code == 412
    assert curator_client.delete(url, HTTP_IF_MATCH=star["ETag"]).status_code == 204
    assert not Actor.objects.filter(slug="etag-test-actor").exists()


def test_if_match_is_optional(curator_client, actor):
    url = "/api/v1/actors/etag-test-actor/"
    assert curator_client.patch(url, {"description": "no precondition"}, format="json").status_code == 200
    assert curator_client.delete(url).status_code == 204


def test_claims_and_sources_honour_if_match(curator_client):
    created = _new_claim(curator_client)
    url = f"/api/v1/claims/{created.json()['id']}/"
    fresh = curator_client.patch(url, {"notes": "one"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert fresh.status_code == 200, fresh.json()
    stale = curator_client.patch(url, {"notes": "two"}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert stale.status_code == 412
    assert Claim.objects.get(pk=created.json()["id"]).notes == "one"
    assert curator_client.delete(url, HTTP_IF_MATCH=created["ETag"]).status_code == 412
    assert curator_client.delete(url, HTTP_IF_MATCH=fresh["ETag"]).status_code == 204

    source_url = f"/api/v1/sources/{SOURCE}/"
    etag = curator_client.get(source_url)["ETag"]
    for notes, status in (("a", 200), ("b", 412)):
        response = curator_client.patch(source_url, {"metadata_notes": notes}, format="json", HTTP_IF_MATCH=etag)
        assert response.status_code == status
    assert Source.objects.get(slug=SOURCE).metadata_notes == "a"


def test_a_failed_write_leaves_the_database_as_it_was(curator_client, monkeypatch):
    """A claim write that fails after the claim row is saved rolls back the claim, its anchor and its links."""
    from apps.claims import services

    before = (Claim.objects.count(), Claim.countries.through.objects.count())

    def explode(**kwargs):
        raise RuntimeError("simulated failure after the claim and its anchor were written")

    monkeypatch.setattr(services, "claims_refresh_derived", explode)
    curator_client.raise_request_exception = False
    response = curator_client.post(
        "/api/v1/claims/",
        {
            "source": SOURCE,
            "kind": "arms_transfer",
            "status": "completed",
            "summary": "Never stored.",
            "subject": "united-kingdom",
            "object": "ukraine",
            "countries": ["GB"],
            "quote": "The United Kingdom sent anti-tank missiles",
        },
        format="json",
    )
    assert response.status_code == 500
    assert (Claim.objects.count(), Claim.countries.through.objects.count()) == before
    assert not Claim.objects.filter(summary="Never stored.").exists()


def test_api_writes_are_recorded_in_the_history_with_the_api_user(curator, curator_client):
    created = _new_claim(curator_client).json()
    curator_client.patch(f"/api/v1/claims/{created['id']}/", {"notes": "edited through the API"}, format="json")
    history = list(Claim.history.filter(id=created["id"]).order_by("history_date"))
    assert (history[0].history_type, history[-1].history_type) == ("+", "~")
    assert history[-1].notes == "edited through the API"
    assert {h.history_user for h in history} == {curator}


# Against the real server: gunicorn with 2 workers × 2 threads, so writes really run concurrently.

WRITERS = 4


def _live(live_api) -> httpx.Client:
    headers = {"Authorization": f"Token {live_api['token']}"}
    return httpx.Client(base_url=live_api["base_url"], headers=headers, timeout=30)


@pytest.fixture
def live_targets(live_api):
    """A claim, a source and an actor made through the live server, removed afterwards."""
    with _live(live_api) as client:
        actor = client.post("/api/v1/actors/", json={"slug": "concurrency-actor", "name": "0", "kind": "other"})
        source = client.post(
            "/api/v1/sources/",
            json={
                "slug": "concurrency-source",
                "title": "0",
                "kind": "news",
                "text": "Concurrency test text.",
            },
        )
        claim = client.post(
            "/api/v1/claims/",
            json={
                "source": "concurrency-source",
                "kind": "other",
                "status": "announced",
                "summary": "0",
                "quote": "Concurrency test text.",
            },
        )
        assert (actor.status_code, source.status_code, claim.status_code) == (201, 201, 201), claim.text
        targets = {
            "claim": (f"/api/v1/claims/{claim.json()['id']}/", "summary"),
            "source": ("/api/v1/sources/concurrency-source/", "title"),
            "actor": ("/api/v1/actors/concurrency-actor/", "name"),
        }
        try:
            yield targets
        finally:
            for path, _ in targets.values():
                assert client.delete(path).status_code == 204


def _run_threads(count, target):
    errors = []

    def guarded(index):
        try:
            target(index)
        except BaseException as error:  # surfaced in the main thread below
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


@pytest.mark.slow
@pytest.mark.parametrize("resource", ["claim", "source", "actor"])
def test_concurrent_writers_with_the_same_etag_exactly_one_wins(live_api, live_targets, resource):
    """Each round every writer reads the same version, then all write at once with its ETag:
    the row lock makes exactly one of them succeed and the others get 412 (without If-Match all
    would succeed and all but one increment would be lost)."""
    path, field = live_targets[resource]
    rounds = 5
    barrier = threading.Barrier(WRITERS)
    statuses = [[None] * WRITERS for _ in range(rounds)]

    def writer(index):
        with _live(live_api) as client:
            for round_number in range(rounds):
                read = client.get(path)
                barrier.wait()  # everyone has read the same version before anyone writes
                value = int(read.json()[field]) + 1
                response = client.patch(path, json={field: str(value)}, headers={"If-Match": read.headers["ETag"]})
                statuses[round_number][index] = response.status_code
                if response.status_code == 412:
                    assert response.json()["code"] == "precondition_failed"
                barrier.wait()  # the round is over for everyone before the next read

    _run_threads(WRITERS, writer)
    for round_statuses in statuses:
        assert sorted(round_statuses) == [200] + [412] * (WRITERS - 1), statuses
    with _live(live_api) as client:
        assert client.get(path).json()[field] == str(rounds)


@pytest.mark.slow
def test_read_modify_write_with_retries_loses_no_update(live_api, live_targets):
    """Writers increment a counter with GET + PATCH If-Match, retrying on 412: every increment lands."""
    path, field = live_targets["claim"]
    increments = 6
    conflicts = []

    def writer(index):
        with _live(live_api) as client:
            done = 0
            while done < increments:
                read = client.get(path)
                value = int(read.json()[field]) + 1
                response = client.patch(path, json={field: str(value)}, headers={"If-Match": read.headers["ETag"]})
                if response.status_code == 412:
                    conflicts.append(index)
                    continue
                assert response.status_code == 200, response.text
                done += 1

    _run_threads(WRITERS, writer)
    with _live(live_api) as client:
        assert client.get(path).json()[field] == str(WRITERS * increments)
    assert conflicts, "the writers never collided; the test proved nothing"
