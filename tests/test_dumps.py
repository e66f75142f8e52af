"""manage.py export: a dump holds exactly what the API serves, with a manifest that proves each file."""

import csv
import gzip
import hashlib
import io
import json

import pytest
from django.core.management import call_command

from apps.actors.models import Actor
from apps.claims.models import Claim, ClaimRelation, ReviewStatus
from apps.sources.models import Source

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
