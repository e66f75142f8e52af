"""manage.py export and import_dump: a dump holds exactly what the API serves, with a manifest that proves each
file, and importing it into an empty database gives the same dump back."""

import csv
import gzip
import hashlib
import io
import json

import psycopg
import pytest
from django.core.management import CommandError, call_command
from psycopg import sql

from apps.actors.models import Actor
from apps.claims.models import Claim, ClaimRelation, QuoteAnchor, ReviewStatus
from apps.sources.models import Source
from tests.test_backup_restore import _manage
from tests.test_fuzz_schemathesis import _admin, _server_url

pytestmark = pytest.mark.django_db

BASE_URL = "http://testserver"


def _lines(path) -> list[bytes]:
    return gzip.decompress(path.read_bytes()).splitlines(keepends=True)


@pytest.fixture
def draft():
    claim = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).first()
    claim.review_status = ReviewStatus.DRAFT
    claim.notes = "A curator's note."
    claim.save(update_fields=["review_status", "notes"])
    return claim


def test_a_dump_is_the_apis_representation_with_a_manifest_of_hashes(tmp_path, curator_client, draft):
    call_command("export", str(tmp_path), "--base-url", BASE_URL, stdout=io.StringIO())
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["counts"] == {
        "claims": Claim.objects.count(),
        "sources": Source.objects.count(),
        "actors": Actor.objects.count(),
        "relations": ClaimRelation.objects.count(),
    }
    assert manifest["api_version"] == "1.0.0" and manifest["scope"] == "everything"
    for entry in manifest["files"]:
        data = (tmp_path / entry["name"]).read_bytes()
        assert (hashlib.sha256(data).hexdigest(), len(data)) == (entry["sha256"], entry["bytes"])
        table, text = entry["name"].split(".")[0], gzip.decompress(data).decode()
        if entry["name"].endswith(".csv.gz"):
            assert len(list(csv.reader(io.StringIO(text)))) == manifest["counts"][table] + 1  # and a header
        else:
            assert len(text.splitlines()) == manifest["counts"][table]

    # Claims: byte for byte what a curator's NDJSON export of the API returns, in id order.
    exported = b"".join(curator_client.get("/api/v1/claims/export.ndjson", {"ordering": "id"}).streaming_content)
    assert b"".join(_lines(tmp_path / "claims.ndjson.gz")) == exported
    # Sources carry their text, as the API's detail does.
    source = json.loads(_lines(tmp_path / "sources.ndjson.gz")[0])
    assert source == curator_client.get(f"/api/v1/sources/{source['slug']}/").json()
    assert source["text"] and hashlib.sha256(source["text"].encode()).hexdigest() == source["text_sha256"]
    actors = list(csv.DictReader(io.StringIO(gzip.decompress((tmp_path / "actors.csv.gz").read_bytes()).decode())))
    russia = next(row for row in actors if row["slug"] == "russia")
    assert russia["country"] == "RU"


def test_the_same_data_dumps_to_the_same_bytes(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export", str(first), "--base-url", BASE_URL, stdout=io.StringIO())
    call_command("export", str(second), "--base-url", BASE_URL, stdout=io.StringIO())
    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (first, second)]
    assert manifests[0]["data_version"] == manifests[1]["data_version"]
    assert manifests[0]["files"] == manifests[1]["files"]


def test_a_published_dump_holds_what_anonymous_readers_see(tmp_path, draft):
    call_command("export", str(tmp_path), "--base-url", BASE_URL, "--published", stdout=io.StringIO())
    claims = [json.loads(line) for line in _lines(tmp_path / "claims.ndjson.gz")]
    assert draft.id not in {claim["id"] for claim in claims}
    assert len(claims) == Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).count()
    assert all(claim["notes"] is None for claim in claims)
    relations = [json.loads(line) for line in _lines(tmp_path / "relations.ndjson.gz")]
    assert draft.id not in {r["from_claim"]["id"] for r in relations} | {r["to_claim"]["id"] for r in relations}


def _held() -> dict:
    return {model.__name__: model.objects.count() for model in (Actor, Source, Claim, ClaimRelation)}


def _edit(directory, table: str, change) -> None:
    """Change a table's records with ``change`` and rewrite the manifest to match, as a tampered dump would."""
    path = directory / f"{table}.ndjson.gz"
    records = [json.loads(line) for line in _lines(path)]
    change(records)
    path.write_bytes(gzip.compress(b"".join(json.dumps(record).encode() + b"\n" for record in records)))
    manifest = json.loads((directory / "manifest.json").read_text())
    entry = next(entry for entry in manifest["files"] if entry["name"] == path.name)
    entry["sha256"], entry["bytes"] = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_size
    manifest["data_version"] = hashlib.sha256("".join(e["sha256"] for e in manifest["files"]).encode()).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest))


def _empty_database() -> None:
    ClaimRelation.objects.all().delete()
    Claim.objects.all().delete()
    Source.objects.all().delete()
    Actor.objects.all().delete()


def test_a_corrupt_file_is_refused_before_anything_is_read(tmp_path):
    call_command("export", str(tmp_path), "--base-url", BASE_URL, stdout=io.StringIO())
    damaged = bytearray((tmp_path / "actors.csv.gz").read_bytes())
    damaged[-12] ^= 0xFF
    (tmp_path / "actors.csv.gz").write_bytes(bytes(damaged))
    _empty_database()
    with pytest.raises(CommandError, match=r"actors\.csv\.gz is corrupt: .* SHA-256"):
        call_command("import_dump", str(tmp_path), stdout=io.StringIO())
    assert set(_held().values()) == {0}

    (tmp_path / "actors.csv.gz").unlink()
    with pytest.raises(CommandError, match=r"actors\.csv\.gz is missing"):
        call_command("import_dump", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="holds no manifest.json"):
        call_command("import_dump", str(tmp_path / "elsewhere"), stdout=io.StringIO())


def test_a_database_with_data_is_refused(tmp_path):
    call_command("export", str(tmp_path), "--base-url", BASE_URL, stdout=io.StringIO())
    before = _held()
    with pytest.raises(CommandError, match=r"The database is not empty \(\d+ actors, \d+ sources, \d+ claims"):
        call_command("import_dump", str(tmp_path), stdout=io.StringIO())
    assert _held() == before


def _to_itself(records):
    records[-1]["to_claim"] = records[-1]["from_claim"]


def _misquoted(records):
    records[1]["anchor"]["exact"] = "Words no source ever printed."


def _id_twice(records):
    records[-1]["id"] = records[0]["id"]


@pytest.mark.parametrize(
    ("table", "change", "line", "reason"),
    [
        # Relations are written last, after every actor, source and claim: all of those must go too.
        ("relations", _to_itself, -1, "A claim cannot be related to itself"),
        # A quote that is not in its source's text is refused by the same rule as every other write.
        ("claims", _misquoted, 2, "quote: "),
        ("claims", _id_twice, -1, r"id: Id \d+ is used twice"),
    ],
)
def test_an_invalid_record_imports_nothing_and_is_named(tmp_path, table, change, line, reason):
    call_command("export", str(tmp_path), "--base-url", BASE_URL, stdout=io.StringIO())
    _empty_database()
    _edit(tmp_path, table, change)
    if line < 0:
        line += len(_lines(tmp_path / f"{table}.ndjson.gz")) + 1
    with pytest.raises(CommandError, match=rf"{table}\.ndjson\.gz line {line}: {reason}"):
        call_command("import_dump", str(tmp_path), stdout=io.StringIO())
    assert set(_held().values()) == {0}


def test_a_published_dump_imports_to_what_anonymous_readers_saw(tmp_path, draft):
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export", str(first), "--base-url", BASE_URL, "--published", stdout=io.StringIO())
    _empty_database()
    call_command("import_dump", str(first), stdout=io.StringIO())
    assert not Claim.objects.filter(pk=draft.pk).exists()
    assert set(Claim.objects.values_list("review_status", flat=True)) == {ReviewStatus.PUBLISHED}
    call_command("export", str(second), "--base-url", BASE_URL, "--published", stdout=io.StringIO())
    for name in ("claims.ndjson.gz", "sources.ndjson.gz", "actors.ndjson.gz", "relations.ndjson.gz"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.fixture
def fresh_database(settings):
    name = f"{settings.DATABASES['default']['NAME']}_dump_import"
    _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    _admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        _manage(name, "migrate", "--no-input")
        yield name
    finally:
        _admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.slow
def test_a_dump_imported_into_a_new_database_exports_the_same_bytes(tmp_path, draft, fresh_database):
    QuoteAnchor.objects.filter(claim=draft).delete()  # a draft not yet anchored is dumped and restored too
    first, second = tmp_path / "first", tmp_path / "second"
    call_command("export", str(first), "--base-url", BASE_URL, stdout=io.StringIO())

    imported = _manage(fresh_database, "import_dump", str(first))
    assert f"{Claim.objects.count()} claims" in imported.stdout
    _manage(fresh_database, "export", str(second), "--base-url", BASE_URL)

    manifests = [json.loads((folder / "manifest.json").read_text()) for folder in (first, second)]
    for manifest in manifests:
        del manifest["created_at"]
    assert manifests[0] == manifests[1]
    for entry in manifests[0]["files"]:
        assert (first / entry["name"]).read_bytes() == (second / entry["name"]).read_bytes(), entry["name"]

    with psycopg.connect(_server_url(fresh_database)) as connection:
        # Each restored claim was written once, and the change feed has it once, as created.
        feed = "SELECT count(*), count(*) FILTER (WHERE seq <> first_seq) FROM claims_claimchange"
        assert connection.execute(feed).fetchone() == (Claim.objects.count(), 0)
        # New records continue after the imported ids instead of colliding with them.
        for table in ("actors_actor", "sources_source", "claims_claim", "claims_claimrelation"):
            query = sql.SQL("SELECT nextval(pg_get_serial_sequence({table}, 'id')) > max(id) FROM {name}").format(
                table=sql.Literal(table), name=sql.Identifier(table)
            )
            assert connection.execute(query).fetchone()[0], table
