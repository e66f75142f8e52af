"""The curated fixtures: faithful anchors, the promised coverage, idempotent and atomic loading."""

import shutil
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.actors.models import Actor
from apps.claims.fixture_loader import FixtureError, fixtures_load
from apps.claims.models import Claim, ClaimRelation, QuoteAnchor
from apps.sources.models import Source
from apps.sources.text import strip_markup, text_sha256

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.FIXTURES_DIR)
ARTICLES = {
    "kerres-2022-01-putin-kazakhstan-nato",
    "kempe-2022-01-biden-critical-week",
    "commentary-2022-01-24-russian-build-up",
    "eggert-2021-12-31-what-putin-wants",
}
REPORT = "jankowski-bouvery-2022-near-abroad"


def test_every_quote_is_the_stored_text_at_its_offsets():
    anchors = QuoteAnchor.objects.select_related("claim__source")
    assert anchors.count() == Claim.objects.filter(key__isnull=False).count()
    for anchor in anchors:
        text = anchor.claim.source.text
        assert text[anchor.start : anchor.end] == anchor.exact, anchor.claim.key
        assert text.count(anchor.exact) == 1, anchor.claim.key
        assert text[anchor.start - len(anchor.prefix) : anchor.start] == anchor.prefix


def test_stored_texts_are_the_received_documents_without_markup():
    for source in Source.objects.all():
        document = yaml.safe_load(
            next(
                p for p in (FIXTURES / "documents").glob("*.yaml") if f"slug: {source.slug}" in p.read_text()
            ).read_text()
        )
        received = (FIXTURES / document["source"]["text_file"]).read_text(encoding="utf-8")
        assert source.text == strip_markup(received)
        assert "<u>" not in source.text and "<a href" not in source.text
        assert source.text_sha256 == text_sha256(source.text)
    seeds = Path(settings.BASE_DIR).parent / "shared" / "seeds"
    if seeds.is_dir():
        for copy in (FIXTURES / "texts").glob("*.txt"):
            assert copy.read_bytes() == (seeds / copy.name).read_bytes(), "fixtures/texts must equal the seeds"


def test_counts_and_coverage():
    claims = Claim.objects.filter(key__isnull=False)
    per_source = Counter(claims.values_list("source__slug", flat=True))
    assert claims.count() >= 60
    assert all(per_source[slug] >= 8 for slug in ARTICLES), per_source
    assert per_source[REPORT] >= 25
    kinds = set(claims.values_list("kind", flat=True))
    assert {
        "troop_deployment",
        "sanctions",
        "alliance_position",
        "diplomatic_demand",
        "recognition",
        "arms_transfer",
        "casualties",
        "intervention",
        "territorial_control",
        "resource",
    } <= kinds
    assert set(claims.values_list("review_status", flat=True)) == {"published"}
    assert ClaimRelation.objects.filter(type="contradicts").exists()
    assert ClaimRelation.objects.filter(type="corroborates").exists()


@pytest.mark.parametrize(
    ("key", "qualifier", "lower", "upper"),
    [
        ("kerres-putin-soldiers-around-ukraine", "range", 20000, 99999),
        ("kerres-kazakhstan-unrest-deaths", "range", 24, 99),
        ("kempe-putin-100000-soldiers-ukraine-border", "approximately", 90000, 110000),
        ("commentary-0124-russia-100000-troops-around-ukraine", "more_than", 100000, None),
        ("jb-russia-belarus-joint-army-group-9000", "approximately", 8100, 9900),
        ("jb-ukraine-recaptures-63-percent", "exact", 63, 63),
    ],
)
def test_stated_figures_become_qualified_quantities(key, qualifier, lower, upper):
    claim = Claim.objects.get(key=key)
    assert (claim.quantity_qualifier, claim.quantity_lower, claim.quantity_upper) == (qualifier, lower, upper)
    assert claim.quantity_unit


def test_roles_are_filled_faithfully():
    warned = Claim.objects.get(anchor__exact__contains="London has warned")
    assert warned.claimant.slug == "united-kingdom"
    assert warned.subject.slug == "russia"
    refused = Claim.objects.get(key="jb-kazakhstan-refuses-recognise-annexation")
    assert (refused.subject.slug, refused.status, refused.location_id) == ("kazakhstan", "refused", "UA")
    assert set(Actor.objects.get(slug="kassym-jomart-tokayev").aliases) >= {"Tokayev", "Tokaev"}


def test_loading_twice_changes_nothing():
    before = {c.key: (c.id, c.updated_at) for c in Claim.objects.filter(key__isnull=False)}
    report = fixtures_load(directory=FIXTURES)
    assert all(counts["created"] == counts["updated"] == 0 for counts in report.counts.values()), report.lines()
    after = {c.key: (c.id, c.updated_at) for c in Claim.objects.filter(key__isnull=False)}
    assert after == before


def _broken_copy(tmp_path, edit) -> Path:
    copy = tmp_path / "fixtures"
    shutil.copytree(FIXTURES, copy)
    path = copy / "documents" / "kerres-2022-01-putin-kazakhstan-nato.yaml"
    document = yaml.safe_load(path.read_text())
    edit(document)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False))
    return copy


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: d["claims"][-1].update(quote="A sentence the column never wrote."), "not found"),
        (lambda d: d["claims"][-1].update(quote="Putin"), "ambiguous"),
        (lambda d: d["claims"][-1].update(subject="nobody-we-know"), "unknown actor"),
        (lambda d: d["claims"][-1].update(quantity={"lower": 10, "upper": 1, "unit": "people"}), "lower bound"),
    ],
)
def test_a_broken_fixture_loads_nothing_and_names_the_entry(tmp_path, edit, reason):
    broken = _broken_copy(tmp_path, edit)
    last = yaml.safe_load((broken / "documents" / "kerres-2022-01-putin-kazakhstan-nato.yaml").read_text())["claims"][
        -1
    ]
    # A change that would land before the bad entry, had the load not been atomic.
    actors = broken / "actors" / "common.yaml"
    actors.write_text(actors.read_text().replace("description: President of Russia.", "description: Changed."))
    with pytest.raises(FixtureError) as raised:
        fixtures_load(directory=broken)
    message = str(raised.value)
    assert "kerres-2022-01-putin-kazakhstan-nato.yaml" in message
    assert last["key"] in message
    assert reason in message.lower()
    assert Actor.objects.get(slug="vladimir-putin").description == "President of Russia."


def test_the_command_reports_counts_and_fails_clearly(tmp_path):
    out = StringIO()
    call_command("load_fixtures", stdout=out)
    assert "claims: 0 created, 0 updated" in out.getvalue()
    broken = _broken_copy(tmp_path, lambda d: d["claims"][0].update(kind="rumour"))
    with pytest.raises(CommandError, match="Nothing was loaded.*kind"):
        call_command("load_fixtures", "--directory", str(broken))
