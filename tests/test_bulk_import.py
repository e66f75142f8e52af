"""The NDJSON importer and the synthetic corpus generator, on small files."""

import hashlib
from collections import Counter

import orjson
import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from apps.claims.bulk_import import NdjsonImportError, _indexed_after, _keys_checked_after, ndjson_import
from apps.claims.models import Claim, ClaimCountry
from apps.claims.synthetic import synthetic_corpus_write
from apps.sources.models import Source

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus") / "corpus.ndjson"
    counts = synthetic_corpus_write(path=path, claims=600, seed=7, actors=80, sources=40, publishers=12)
    return path, counts


def _records(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_generator_is_deterministic_and_realistic(corpus, tmp_path):
    path, counts = corpus
    again = tmp_path / "again.ndjson"
    synthetic_corpus_write(path=again, claims=600, seed=7, actors=80, sources=40, publishers=12)
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
    records = _records(path)
    claims = [r for r in records if r["type"] == "claim"]
    assert counts == {"claims": 600, "sources": 40, "actors": 80} and len(claims) == 600
    with_quantity = sum("quantity" in c for c in claims) / len(claims)
    assert 0.22 <= with_quantity <= 0.38
    locations = Counter(c["location"] for c in claims).most_common()
    assert locations[0][1] >= 5 * locations[len(locations) // 2][1]  # skewed, not uniform
    assert all(r["slug"].startswith("synthetic-") for r in records if r["type"] != "claim")
    assert all(r["title"].startswith("[synthetic]") for r in records if r["type"] == "source")


def test_import_loads_everything_with_derived_data(corpus):
    path, counts = corpus
    summary = ndjson_import(path=path, batch_size=128)
    assert (summary.claims, summary.sources, summary.actors) == (600, 40, 80)
    claims = Claim.objects.filter(source__slug__startswith="synthetic-")
    assert claims.count() == 600
    for claim in claims.select_related("anchor", "source")[:50]:
        assert claim.source.text[claim.anchor.start : claim.anchor.end] == claim.anchor.exact
        assert claim.reported_on == claim.source.published_on
        assert claim.search_vector
        expected = {claim.location_id, *claim.countries.values_list("code", flat=True)}
        if claim.subject:
            expected.add(claim.subject.country_id)
        if claim.object:
            expected.add(claim.object.country_id)
        links = ClaimCountry.objects.filter(claim=claim)
        assert set(links.values_list("country_id", flat=True)) == expected - {None}
        assert set(links.values_list("reported_on", flat=True)) <= {claim.reported_on}
    word = claims.first().anchor.exact.split()[1]
    assert Claim.objects.filter(search_vector=word).exists()


def test_a_bad_line_imports_nothing_and_names_line_and_field(tmp_path):
    lines = [
        {"type": "actor", "slug": "synthetic-x", "name": "X", "kind": "state", "country": "FR"},
        {"type": "source", "slug": "synthetic-doc", "kind": "news", "text": "One two three. Four five six."},
        {
            "type": "claim",
            "source": "synthetic-doc",
            "kind": "other",
            "status": "announced",
            "summary": "ok",
            "quote": "One two three.",
        },
        {
            "type": "claim",
            "source": "synthetic-doc",
            "kind": "troop_deployment",
            "status": "ongoing",
            "stance": "rumoured",
            "summary": "an unknown stance",
            "subject": "synthetic-x",
            "quote": "Four five six.",
        },
        {
            "type": "claim",
            "source": "synthetic-doc",
            "kind": "other",
            "status": "announced",
            "summary": "bounds",
            "quantity": {"lower": 9, "upper": 3, "unit": "people"},
            "quote": "Four five six.",
        },
        {
            "type": "claim",
            "source": "synthetic-doc",
            "kind": "other",
            "status": "announced",
            "summary": "x",
            "quote": "not there",
        },
        {
            "type": "claim",
            "source": "synthetic-doc",
            "kind": "other",
            "status": "announced",
            "summary": "x",
            "subject": "nobody",
            "quote": "One two three.",
        },
    ]
    path = tmp_path / "bad.ndjson"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n{not json\n")
    before = (Claim.objects.count(), Source.objects.count())
    with pytest.raises(NdjsonImportError) as raised:
        ndjson_import(path=path)
    errors = {(line, field) for line, field, _ in raised.value.errors}
    assert errors == {(4, "stance"), (5, "quantity.lower"), (6, "quote"), (7, "subject"), (8, None)}
    assert (Claim.objects.count(), Source.objects.count()) == before
    assert not Source.objects.filter(slug="synthetic-doc").exists()


def _keys_and_indexes() -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text SIMILAR TO '(claims|comparisons)\\_%%' "
            "UNION ALL SELECT tablename, indexname, indexdef FROM pg_indexes "
            "WHERE tablename SIMILAR TO '(claims|comparisons)\\_%%'"
        )
        return set(cursor.fetchall())


def test_a_first_import_drops_and_restores_the_foreign_keys_and_indexes(corpus, tmp_path):
    Claim.objects.all().delete()
    keys_and_indexes = _keys_and_indexes()
    assert any(name == "claim_search" for _, name, _ in keys_and_indexes)
    bad = tmp_path / "bad.ndjson"
    bad.write_bytes(corpus[0].read_bytes() + b'{"type": "claim", "source": "nowhere"}\n')
    with pytest.raises(NdjsonImportError):
        ndjson_import(path=bad)
    assert _keys_and_indexes() == keys_and_indexes and not Claim.objects.exists()

    ndjson_import(path=corpus[0], batch_size=128)
    assert _keys_and_indexes() == keys_and_indexes and Claim.objects.count() == 600
    with pytest.raises(IntegrityError), transaction.atomic():  # and they hold again
        ClaimCountry.objects.create(claim=Claim.objects.first(), country_id="ZZ")
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_first_import_writes_each_claim_once(corpus):
    """Adding a new claim's quote and countries in the same import does not count as changing it: each claim
    is written once (the change feed records it at the commit: tests/test_dumps.py follows a load that commits)."""
    Claim.objects.all().delete()
    ndjson_import(path=corpus[0], batch_size=128)
    claims = Claim.objects.filter(source__slug__startswith="synthetic-")
    assert claims.count() == 600
    assert not claims.exclude(updated_at=F("created_at")).exists()


def test_the_first_load_builds_plain_indexes_after_the_rows():
    Claim.objects.all().delete()
    with transaction.atomic(), _indexed_after():
        assert not any(name == "claim_search" for _, name, _ in _keys_and_indexes())
    assert any(name == "claim_search" for _, name, _ in _keys_and_indexes())


def test_the_first_load_checks_the_keys_of_what_refers_to_claims_after_the_comparisons():
    """The comparisons' memberships, written by the regrouping in the import's transaction, refer to claims:
    their keys are checked in one pass once the regrouping is done, not row by row at the commit."""
    Claim.objects.all().delete()

    def membership_keys():
        return {name for table, name, _ in _keys_and_indexes() if table == "comparisons_membership" and "fk" in name}

    assert membership_keys()
    with transaction.atomic(), _keys_checked_after():
        assert not membership_keys()
    assert membership_keys()


REFUSED = [
    ("key", {"key": "café-ü"}),
    ("kind", {"kind": "nope"}),
    ("status", {"status": "nope"}),
    ("confidence", {"confidence": "certain"}),
    ("trend", {"trend": "soaring"}),
    ("quantity.text", {"quantity": {"value": 3, "unit": "people", "text": "x" * 201}}),
    ("valid_from_precision", {"valid_from": "2022-01-01", "valid_from_precision": "hour"}),
]


@pytest.mark.parametrize(("field", "change"), REFUSED, ids=[field for field, _ in REFUSED])
def test_the_importer_refuses_what_the_api_refuses(curator_client, tmp_path, field, change):
    claim = {
        "source": "commentary-2022-01-24-russian-build-up",
        "kind": "arms_transfer",
        "status": "completed",
        "summary": "The United Kingdom sent anti-tank missiles to Ukraine.",
        "subject": "united-kingdom",
        "object": "ukraine",
        "quote": "The United Kingdom sent anti-tank missiles",
        **change,
    }
    response = curator_client.post("/api/v1/claims/", claim, format="json")
    assert response.status_code == 400
    assert field in {error["field"] for error in response.json()["errors"]}

    path = tmp_path / "one.ndjson"
    path.write_bytes(orjson.dumps({"type": "claim", **claim}) + b"\n")
    with pytest.raises(NdjsonImportError) as raised:
        ndjson_import(path=path)
    assert field in {name for _, name, _ in raised.value.errors}
