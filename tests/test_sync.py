"""Incremental sync: updated_at follows everything a claim shows, updated_since filters on it, the change feed
numbers commits in order with tombstones, claims revalidate with Last-Modified, and a mirror kept by the feed
equals a fresh export."""

import datetime
import threading
import time
import uuid

import httpx
import orjson
import psycopg
import pytest
import yaml
from django.db import connection
from django.db.models import F
from django.utils.http import http_date

from apps.actors.models import Actor
from apps.actors.services import actor_update
from apps.claims.models import Claim, ClaimChange, ClaimCountry, ClaimRelation, QuoteAnchor, ReviewStatus
from apps.claims.services import claim_delete, claim_review_status_set, claim_update
from apps.countries.models import Country
from apps.sources.models import Source
from apps.sources.services import source_update
from tests.conftest import ROOT, _test_database_url

pytestmark = pytest.mark.django_db

CLAIMS = "/api/v1/claims/"
CHANGES = "/api/v1/changes/"
SOURCE = "commentary-2022-01-24-russian-build-up"


@pytest.fixture
def changes_numbered_at_once():
    """The feed numbers a transaction's changes while it commits; a test's transaction never commits, so its
    statements are numbered one by one instead, as if each committed."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _stamps(ids) -> dict[int, datetime.datetime]:
    return dict(Claim.objects.filter(pk__in=ids).values_list("pk", "updated_at"))


def _moved(before: dict) -> set[int]:
    after = _stamps(before)
    return {pk for pk, stamp in before.items() if after.get(pk) != stamp}


def _feed(client, since: int, **params) -> tuple[list[dict], int]:
    """Every entry after ``since``, page after page, and the position to continue from."""
    page = client.get(CHANGES, {"since": since, **params}).json()
    entries = page["results"]
    while page["next"]:
        page = client.get(page["next"]).json()
        entries += page["results"]
    return entries, page["last_seq"]


def _head(client) -> int:
    return _feed(client, 0)[1]


def _new_claim(curator_client, **overrides) -> int:
    body = {
        "source": SOURCE,
        "kind": "arms_transfer",
        "status": "completed",
        "summary": "The United Kingdom sent anti-tank missiles to Ukraine.",
        "subject": "united-kingdom",
        "object": "ukraine",
        "countries": ["GB", "UA"],
        "quote": "The United Kingdom sent anti-tank missiles",
        "review_status": "draft",
        **overrides,
    }
    response = curator_client.post(CLAIMS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


# updated_at -----------------------------------------------------------------------------------


def test_updated_at_moves_with_everything_a_claim_shows_and_nothing_else(curator_client):
    everything = set(Claim.objects.values_list("pk", flat=True))
    claim = Claim.objects.filter(subject__isnull=False, relations_from__isnull=False).first()
    actor = claim.subject
    with_actor = set(Claim.objects.filter(subject=actor).values_list("pk", flat=True))
    with_actor |= set(Claim.objects.filter(object=actor).values_list("pk", flat=True))
    with_actor |= set(Claim.objects.filter(claimant=actor).values_list("pk", flat=True))

    before = _stamps(everything)
    assert curator_client.patch(f"/api/v1/actors/{actor.slug}/", {"name": "Renamed"}, format="json").status_code == 200
    assert _moved(before) == with_actor
    assert curator_client.get(f"{CLAIMS}{claim.id}/").json()["subject"]["name"] == "Renamed"

    # An actor's fields the claims do not show change nothing.
    before = _stamps(everything)
    assert curator_client.patch(f"/api/v1/actors/{actor.slug}/", {"aliases": ["X"]}, format="json").status_code == 200
    assert _moved(before) == set()

    # A claim shows every country it involves (its country links): its location, the countries it lists and
    # its actors' countries. A country one claim involves through an actor only, so all three count.
    links = set(ClaimCountry.objects.values_list("claim_id", "country_id"))
    direct = set(Claim.objects.exclude(location=None).values_list("pk", "location"))
    direct |= set(Claim.countries.through.objects.values_list("claim_id", "country_id"))
    _, country = min(links - direct)
    showing = set(ClaimCountry.objects.filter(country=country).values_list("claim_id", flat=True))
    before = _stamps(everything)
    Country.objects.filter(pk=country).update(name="Renamed country")
    assert _moved(before) == showing

    source = claim.source
    before = _stamps(everything)
    Source.objects.filter(pk=source.pk).update(publisher="Another publisher")  # behind every service
    assert _moved(before) == set(source.claims.values_list("pk", flat=True))

    other = (
        Claim.objects.exclude(pk=claim.pk)
        .exclude(relations_from__to_claim=claim)
        .exclude(relations_to__from_claim=claim)[0]
    )
    before = _stamps(everything)
    created = curator_client.post(
        "/api/v1/claim-relations/",
        {"from_claim": claim.id, "to_claim": other.id, "type": "same_event"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert _moved(before) == {claim.id, other.id}
    before = _stamps(everything)
    assert curator_client.delete(f"/api/v1/claim-relations/{created.json()['id']}/").status_code == 204
    assert _moved(before) == {claim.id, other.id}

    # A relation shows the other claim's summary: editing it moves the claims related to it.
    related = set(ClaimRelation.objects.filter(from_claim=claim).values_list("to_claim_id", flat=True))
    related |= set(ClaimRelation.objects.filter(to_claim=claim).values_list("from_claim_id", flat=True))
    before = _stamps(everything)
    Claim.objects.filter(pk=claim.pk).update(summary="A summary changed behind every service.")
    assert _moved(before) == related and related

    before = _stamps(everything)
    QuoteAnchor.objects.filter(claim=claim).update(prefix="")
    claim.countries.clear()
    assert _moved(before) == {claim.id}


# updated_since ----------------------------------------------------------------------------------


def test_a_country_renamed_behind_every_service_shows_its_new_name_everywhere(api_client, client):
    # Read every view that names countries first, so that any copy a process kept would be filled.
    claim = Claim.objects.filter(
        review_status=ReviewStatus.PUBLISHED,
        membership__proposition__document_count__gte=2,
        membership__proposition__location=F("location"),
    ).first()
    code = claim.location_id
    views = {
        "detail": lambda: api_client.get(f"{CLAIMS}{claim.id}/").json()["location"]["name"],
        "list": lambda: next(
            item["name"]
            for item in api_client.get(CLAIMS, {"country": code}).json()["results"][0]["countries"]
            if item["code"] == code
        ),
        "comparison": lambda: api_client.get(f"{CLAIMS}{claim.id}/comparison/").json()["proposition"]["location"],
        "reading room facets": lambda: client.get("/claims/", {"country": code}).content.decode(),
    }
    before = {name: read() for name, read in views.items()}
    actors = dict(Actor.objects.filter(country=code).values_list("slug", "updated_at"))
    assert actors

    Country.objects.filter(pk=code).update(name="Renamed country")

    assert views["detail"]() == views["list"]() == "Renamed country"
    assert views["comparison"]()["name"] == "Renamed country"
    assert "Renamed country" in views["reading room facets"]()
    assert "Renamed country" not in before["reading room facets"]
    # The actors of the country show its name too: each one's updated_at moves with it.
    for slug, updated_at in actors.items():
        actor = api_client.get(f"/api/v1/actors/{slug}/").json()
        assert actor["country"]["name"] == "Renamed country"
        assert Actor.objects.get(slug=slug).updated_at > updated_at


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "2022-01-24",
        "2022-01-24T09:30:00",
        "2022-13-01T00:00:00Z",
        "2022-01-24T09:30:00+25:00",
        "9999-12-31T23:00:00-02:00",
    ],
)
def test_updated_since_takes_an_rfc_3339_timestamp_with_its_offset(api_client, value):
    for path in (CLAIMS, f"{CLAIMS}export.ndjson"):
        response = api_client.get(path, {"updated_since": value})
        assert response.status_code == 400, value
        assert response["Content-Type"] == "application/problem+json"
        assert [(error["field"], error["in"]) for error in response.json()["errors"]] == [("updated_since", "query")]


def test_updated_since_lists_what_changed_in_the_order_it_changed(api_client, curator_client):
    since = datetime.datetime.now(datetime.UTC)
    claims = list(Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).order_by("-id")[:3])
    for claim in claims:  # oldest id last, so the order of change is not the order of ids
        claim_update(claim=claim, notes=f"Seen again {claim.id}")
    changed = [claim.id for claim in claims]

    stamp = since.isoformat().replace("+00:00", "Z")
    listed = api_client.get(CLAIMS, {"updated_since": stamp, "ordering": "updated_at"}).json()["results"]
    assert [item["id"] for item in listed] == changed
    # The same moment in another offset, its "+" sent without percent-encoding as many clients do.
    local = since.astimezone(datetime.timezone(datetime.timedelta(hours=2))).isoformat()
    unencoded = api_client.get(f"{CLAIMS}?updated_since={local}&ordering=updated_at").json()["results"]
    assert [item["id"] for item in unencoded] == changed
    exported = api_client.get(f"{CLAIMS}export.ndjson", {"updated_since": stamp, "ordering": "updated_at"})
    assert [orjson.loads(line)["id"] for line in b"".join(exported.streaming_content).splitlines()] == changed
    later = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1)).isoformat()
    assert api_client.get(CLAIMS, {"updated_since": later}).json()["results"] == []


def _stamp(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@pytest.mark.parametrize("path", ["/api/v1/actors/", "/api/v1/sources/", "/api/v1/claim-relations/"])
def test_every_list_that_changes_takes_updated_since(api_client, path):
    response = api_client.get(path, {"updated_since": "2022-01-24"})
    assert response.status_code == 400
    assert [(error["field"], error["in"]) for error in response.json()["errors"]] == [("updated_since", "query")]
    later = _stamp(datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=1))
    assert api_client.get(path, {"updated_since": later, "ordering": "updated_at"}).json()["results"] == []


def test_actors_and_sources_changed_since_come_in_the_order_they_changed(api_client):
    since = _stamp(datetime.datetime.now(datetime.UTC))
    actors = list(Actor.objects.order_by("-id")[:2])
    for actor in actors:
        actor_update(actor=actor, description=f"Seen again {actor.id}")
    source = Source.objects.order_by("id").first()
    source_update(source=source, metadata_notes="Seen again")
    listed = api_client.get("/api/v1/actors/", {"updated_since": since, "ordering": "updated_at"}).json()
    assert [item["slug"] for item in listed["results"]] == [actor.slug for actor in actors]
    listed = api_client.get("/api/v1/sources/", {"updated_since": since, "ordering": "updated_at"}).json()
    assert [item["slug"] for item in listed["results"]] == [source.slug]


def test_a_relation_changed_since_includes_one_whose_claim_changed(api_client):
    """A relation shows its claims' summaries: editing one lists the relation again."""
    relation = ClaimRelation.objects.filter(
        from_claim__review_status=ReviewStatus.PUBLISHED, to_claim__review_status=ReviewStatus.PUBLISHED
    ).first()
    since = _stamp(datetime.datetime.now(datetime.UTC))
    claim_update(claim=relation.to_claim, summary=relation.to_claim.summary + " (again)")
    listed = api_client.get("/api/v1/claim-relations/", {"updated_since": since, "ordering": "updated_at"}).json()
    ids = [item["id"] for item in listed["results"]]
    assert relation.id in ids
    shown = next(item for item in listed["results"] if item["id"] == relation.id)
    assert shown["to_claim"]["summary"].endswith(" (again)")
    moment = datetime.datetime.fromisoformat(since)
    untouched = ClaimRelation.objects.filter(
        updated_at__lt=moment, from_claim__updated_at__lt=moment, to_claim__updated_at__lt=moment
    )
    assert untouched.exists() and not set(ids) & set(untouched.values_list("id", flat=True))


@pytest.mark.parametrize(
    ("model", "index"),
    [
        ("actors_actor", "actor_updated"),
        ("sources_source", "source_updated"),
        ("claims_claimrelation", "relation_updated"),
    ],
)
def test_updated_since_of_every_list_is_read_from_an_index(model, index):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM {model} WHERE updated_at >= now() ORDER BY updated_at, id")
        assert index in "".join(row[0] for row in cursor.fetchall())


def test_updated_since_is_read_from_an_index():
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    since = datetime.datetime.now(datetime.UTC)
    plan = Claim.objects.filter(updated_at__gte=since).order_by("updated_at", "id").explain()
    assert "claim_updated" in plan


# The change feed --------------------------------------------------------------------------------


def _actions(entries, claim_id) -> list[str]:
    return [entry["action"] for entry in entries if entry["id"] == claim_id]


def test_the_feed_tells_curators_everything_and_anonymous_readers_only_what_was_published(
    api_client, curator_client, changes_numbered_at_once
):
    start = _head(curator_client)
    public_start = _head(api_client)
    draft_id = _new_claim(curator_client)
    draft = Claim.objects.get(pk=draft_id)
    claim_update(claim=draft, notes="Still a draft.")

    entries, _ = _feed(curator_client, start)
    assert _actions(entries, draft_id) == ["created"]  # once, at its latest change
    assert entries[-1]["url"] == f"http://testserver{CLAIMS}{draft_id}/"
    assert _feed(api_client, public_start) == ([], public_start)  # nothing about a draft

    claim_review_status_set(claim=draft, review_status=ReviewStatus.PUBLISHED)
    published, public_position = _feed(api_client, public_start)
    assert _actions(published, draft_id) == ["created"]
    claim_update(claim=draft, summary="The United Kingdom sent missiles to Ukraine.")
    updated, public_position = _feed(api_client, public_position)
    assert _actions(updated, draft_id) == ["updated"]

    claim_review_status_set(claim=draft, review_status=ReviewStatus.DRAFT)
    withdrawn, public_position = _feed(api_client, public_position)
    assert _actions(withdrawn, draft_id) == ["withdrawn"] and withdrawn[-1]["url"] is None
    curated, curator_position = _feed(curator_client, start)
    assert _actions(curated, draft_id) == ["created"]
    assert _actions(_feed(curator_client, updated[-1]["seq"])[0], draft_id) == ["updated"]

    # What happens to it as a draft stays with the curators, its deletion too.
    claim_update(claim=draft, notes="Back in the drafts.")
    claim_delete(claim=draft)
    assert _feed(api_client, public_position) == ([], public_position)
    deleted, _ = _feed(curator_client, curator_position)
    assert _actions(deleted, draft_id) == ["deleted"] and deleted[-1]["url"] is None
    assert ClaimChange.objects.get(claim_id=draft_id).deleted  # the tombstone outlives the claim

    # A published claim deleted is a tombstone for everyone.
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).first()
    published_id = published.pk
    claim_delete(claim=published)
    assert _actions(_feed(api_client, public_position)[0], published_id) == ["deleted"]


def test_the_feed_pages_in_order_and_refuses_bad_positions(api_client):
    entries, last = _feed(api_client, 0, page_size=7)
    # Every published claim once, at its latest change; tests that commit (live servers) may have
    # left tombstones of claims they created and deleted, which the feed rightly keeps.
    live = [entry["id"] for entry in entries if entry["action"] in ("created", "updated")]
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).values_list("pk", flat=True)
    assert sorted(live) == sorted(published)
    seqs = [entry["seq"] for entry in entries]
    assert seqs == sorted(set(seqs)) and last == seqs[-1]
    assert {entry["action"] for entry in entries} <= {"created", "updated", "deleted", "withdrawn"}
    # The same entries in one page; only "created" may read "updated" where paging passed the
    # claim's creation (a claim a committed test created and then changed), as a mirror upserts both.
    whole = api_client.get(CHANGES, {"page_size": 5000}).json()["results"]
    assert [(entry["seq"], entry["id"]) for entry in entries] == [(entry["seq"], entry["id"]) for entry in whole]
    first = api_client.get(CHANGES, {"page_size": 7}).json()
    assert first["last_seq"] == seqs[6] and f"since={seqs[6]}" in first["next"]
    assert api_client.get(CHANGES, {"since": last}).json() == {"next": None, "last_seq": last, "results": []}
    for name, value in [("since", "-1"), ("since", "soon"), ("since", str(2**63)), ("page_size", "0")]:
        response = api_client.get(CHANGES, {name: value})
        assert response.status_code == 400, (name, value)
        assert [(error["field"], error["in"]) for error in response.json()["errors"]] == [(name, "query")]


def test_positions_follow_the_order_of_commits_not_of_writes():
    """A transaction that writes first and commits last gets the later position, so a reader who has seen a
    position never sees a smaller one appear afterwards."""
    first, second = Claim.objects.order_by("id").values_list("pk", flat=True)[:2]
    url = _test_database_url()
    with psycopg.connect(url) as slow, psycopg.connect(url) as fast, psycopg.connect(url, autocommit=True) as reader:
        slow.execute("UPDATE claims_claim SET notes = notes WHERE id = %s", [first])
        fast.execute("UPDATE claims_claim SET notes = notes WHERE id = %s", [second])
        fast.commit()
        seen = reader.execute("SELECT max(seq) FROM claims_claimchange").fetchone()[0]
        slow.commit()
        positions = dict(
            reader.execute("SELECT claim_id, seq FROM claims_claimchange WHERE claim_id IN (%s, %s)", [first, second])
        )
    assert positions[second] == seen < positions[first]


# Last-Modified ----------------------------------------------------------------------------------


def test_a_claim_revalidates_with_last_modified(api_client):
    claim = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).first()
    past = datetime.datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=datetime.UTC)
    Claim.objects.filter(pk=claim.pk).update(updated_at=past)
    path = f"{CLAIMS}{claim.id}/"
    response = api_client.get(path)
    assert response["Last-Modified"] == "Fri, 02 Jan 2026 03:04:05 GMT" and response["ETag"]
    assert api_client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert api_client.head(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304
    assert api_client.get(path, HTTP_IF_MODIFIED_SINCE="Fri, 02 Jan 2026 03:04:04 GMT").status_code == 200
    # The ETag decides when both are sent, as RFC 9110 has it.
    assert (
        api_client.get(
            path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"], HTTP_IF_NONE_MATCH='"another"'
        ).status_code
        == 200
    )

    claim_update(claim=claim, notes="Curators only.")  # a change anonymous readers cannot see still moves it
    assert api_client.get(path, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 200


def _next_second():
    time.sleep(1 - time.time() % 1 + 0.01)


def test_a_list_revalidates_with_the_time_of_the_latest_change_it_could_show(
    api_client, curator_client, changes_numbered_at_once
):
    claim = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).order_by("id").last()
    claim_update(claim=claim, notes="Touched.")
    head = ClaimChange.objects.get(claim_id=claim.pk).changed_at
    assert "Last-Modified" not in api_client.get(CLAIMS) or time.time() // 1 > head.timestamp() // 1
    _next_second()
    response = api_client.get(CLAIMS, {"page_size": 5})
    assert response["Last-Modified"] == http_date(head.timestamp())
    since = response["Last-Modified"]
    assert api_client.get(CLAIMS, {"page_size": 5}, HTTP_IF_MODIFIED_SINCE=since).status_code == 304

    # A draft changing is no news to anonymous readers; curators see the list move.
    _new_claim(curator_client)
    _next_second()
    assert api_client.get(CLAIMS, {"page_size": 5}, HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    assert curator_client.get(CLAIMS, {"page_size": 5}, HTTP_IF_MODIFIED_SINCE=since).status_code == 200

    # A deletion leaves no claim to carry a newer updated_at, and still moves the list's time.
    claim_delete(claim=claim)
    _next_second()
    assert api_client.get(CLAIMS, {"page_size": 5}, HTTP_IF_MODIFIED_SINCE=since).status_code == 200


# The mirror -------------------------------------------------------------------------------------


def _export(client) -> tuple[dict[int, dict], int]:
    response = client.get(f"{CLAIMS}export.ndjson")
    assert response.status_code == 200
    claims = [orjson.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    return {claim["id"]: claim for claim in claims}, int(response["Changes-Since"])


def test_a_browser_on_another_origin_may_read_where_an_export_starts_in_the_feed(api_client):
    response = api_client.get(f"{CLAIMS}export.ndjson", HTTP_ORIGIN="https://reader.example")
    assert int(response["Changes-Since"]) == _head(api_client)
    exposed = {name.strip().lower() for name in response["Access-Control-Expose-Headers"].split(",")}
    assert {"changes-since", "last-modified"} <= exposed


def _replay(client, mirror: dict[int, dict], since: int) -> int:
    entries, position = _feed(client, since, page_size=3)
    for entry in entries:
        if entry["action"] in ("created", "updated"):
            mirror[entry["id"]] = client.get(entry["url"]).json()
        else:
            mirror.pop(entry["id"], None)
    return position


@pytest.mark.parametrize("reader", ["api_client", "curator_client"])
def test_a_mirror_that_follows_the_feed_equals_a_fresh_export(request, reader, changes_numbered_at_once):
    client = request.getfixturevalue(reader)
    curator_client = request.getfixturevalue("curator_client")
    mirror, position = _export(client)

    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).order_by("id")
    edited, unpublished, deleted = published[:3]
    related = published.filter(subject__isnull=False).exclude(relations_from__to_claim=edited)[3]
    claim_update(claim=edited, summary="An edited summary.")
    renamed = curator_client.patch(f"/api/v1/actors/{related.subject.slug}/", {"name": "Renamed"}, format="json")
    assert renamed.status_code == 200
    claim_review_status_set(claim=unpublished, review_status=ReviewStatus.DRAFT)
    deleted_id = deleted.pk
    claim_delete(claim=deleted)
    relation = {"from_claim": related.id, "to_claim": edited.id, "type": "changed_over_time", "note": "Mirrored."}
    assert curator_client.post("/api/v1/claim-relations/", relation, format="json").status_code == 201
    new = Claim.objects.get(pk=_new_claim(curator_client))
    claim_review_status_set(claim=new, review_status=ReviewStatus.PUBLISHED)
    _new_claim(curator_client, summary="A draft only curators mirror.")

    position = _replay(client, mirror, position)
    fresh, fresh_position = _export(client)
    assert mirror == fresh
    assert position == fresh_position
    assert deleted_id not in mirror and new.pk in mirror
    assert (unpublished.pk in mirror) == (reader == "curator_client")


@pytest.mark.slow
def test_a_mirror_replaying_the_feed_of_a_real_server_while_curators_write_ends_equal_to_an_export(live_api):
    headers = {"Authorization": f"Token {live_api['token']}"}
    with httpx.Client(base_url=live_api["base_url"], headers=headers, timeout=30) as client:
        with client.stream("GET", f"{CLAIMS}export.ndjson") as response:
            position = int(response.headers["Changes-Since"])
            mirror = {claim["id"]: claim for claim in map(orjson.loads, response.iter_lines()) if claim}
        actor = f"mirror-{uuid.uuid4().hex[:8]}"
        assert client.post("/api/v1/actors/", json={"slug": actor, "name": "Mirror", "kind": "other"}).is_success
        created: list[int] = []
        failures: list[BaseException] = []

        def write():
            try:
                _write()
            except BaseException as error:  # reported by the test's own thread
                failures.append(error)

        def _write():
            with httpx.Client(base_url=live_api["base_url"], headers=headers, timeout=30) as writer:
                for step in range(12):
                    body = {
                        "source": SOURCE,
                        "kind": "arms_transfer",
                        "status": "completed",
                        "summary": f"Step {step}: the United Kingdom sent anti-tank missiles to Ukraine.",
                        "subject": actor,
                        "object": "ukraine",
                        "quote": "The United Kingdom sent anti-tank missiles",
                    }
                    response = writer.post(CLAIMS, json=body)
                    assert response.status_code == 201, response.text
                    claim = response.json()["id"]
                    created.append(claim)
                    writer.patch(f"{CLAIMS}{claim}/", json={"summary": f"Step {step}, edited."}).raise_for_status()
                    if step % 3 == 2:
                        relation = {"from_claim": claim, "to_claim": created[-2], "type": "same_event"}
                        writer.post("/api/v1/claim-relations/", json=relation).raise_for_status()
                    if step % 4 == 3:
                        writer.delete(f"{CLAIMS}{created.pop(-2)}/").raise_for_status()
                    writer.patch(f"/api/v1/actors/{actor}/", json={"name": f"Mirror {step}"}).raise_for_status()

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while writer.is_alive():
                position = _replay_live(client, mirror, position)
            writer.join()
            assert not failures, failures
            position = _replay_live(client, mirror, position)
            fresh = {
                claim["id"]: claim
                for claim in map(orjson.loads, client.get(f"{CLAIMS}export.ndjson").iter_lines())
                if claim
            }
            assert len(created) == 9 and set(created) <= set(mirror)
            assert {mirror[claim]["subject"]["name"] for claim in created} == {"Mirror 11"}
            assert mirror == fresh
        finally:
            writer.join()
            for claim in created:
                client.delete(f"{CLAIMS}{claim}/")
            client.delete(f"/api/v1/actors/{actor}/")


def _replay_live(client, mirror: dict[int, dict], since: int) -> int:
    page = {"next": f"{CHANGES}?since={since}&page_size=50"}
    while page["next"]:
        page = client.get(page["next"]).json()
        for entry in page["results"]:
            if entry["action"] in ("created", "updated"):
                response = client.get(entry["url"])
                if response.status_code == 404:  # deleted since: its own entry follows
                    mirror.pop(entry["id"], None)
                else:
                    mirror[entry["id"]] = response.json()
            else:
                mirror.pop(entry["id"], None)
    return page["last_seq"]


def test_the_feed_and_the_validators_are_in_the_openapi_document():
    document = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    feed = document["paths"]["/api/v1/changes/"]["get"]
    assert {parameter["name"] for parameter in feed["parameters"]} >= {"since", "page_size"}
    assert feed["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChangePage"
    }
    page = document["components"]["schemas"]["ChangePage"]
    assert set(page["required"]) == {"next", "last_seq", "results"}
    change = document["components"]["schemas"]["Change"]["properties"]
    assert change["action"]["allOf"][0]["$ref"].endswith("/ChangeActionEnum")
    claim = document["paths"]["/api/v1/claims/{id}/"]["get"]
    assert "If-Modified-Since" in {parameter["name"] for parameter in claim["parameters"]}
    assert "Last-Modified" in claim["responses"]["200"]["headers"]
    listing = document["paths"]["/api/v1/claims/"]["get"]
    assert "updated_since" in {parameter["name"] for parameter in listing["parameters"]}
