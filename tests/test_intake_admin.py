"""Bringing a new document in through the admin, and working through its candidates."""

import pytest
from django.test import Client

from apps.claims.models import Claim
from apps.intake.models import DismissedCandidate
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

DOCUMENT = (
    "Moscow sent about 2,500 soldiers to Kazakhstan on Thursday. The CSTO said the mission would last <u>two weeks</u>."
)
METADATA = {
    "slug": "wire-2022-01-07-csto",
    "title": "CSTO mission",
    "authors": "",
    "publisher": "Wire",
    "url": "",
    "published_on": "2022-01-07",
    "published_precision": "day",
    "language": "en",
    "kind": "news",
    "metadata_notes": "",
}


@pytest.fixture
def curator_browser(curator):
    client = Client()
    client.force_login(curator)
    return client


def test_a_pasted_document_becomes_a_source_with_candidates(curator_browser):
    response = curator_browser.post("/admin/intake/incomingsource/add/", {**METADATA, "pasted": DOCUMENT})
    assert response.status_code == 302
    source = Source.objects.get(slug=METADATA["slug"])
    assert "<u>" not in source.text and "two weeks" in source.text, "the fixtures' cleaning step"

    page = curator_browser.get(response["Location"])
    assert page.status_code == 200
    rows = page.context["rows"]
    soldiers = next(r for r in rows if r["candidate"].quantity and r["candidate"].quantity.text == "about 2,500")
    assert (soldiers["candidate"].quantity.lower, soldiers["candidate"].quantity.upper) == (2250, 2750)
    assert soldiers["candidate"].location == "KZ"

    accepted = curator_browser.post(page.request["PATH_INFO"], {"candidate": soldiers["key"], "action": "accept"})
    assert accepted.status_code == 302
    claim = Claim.objects.get(source=source)
    assert claim.review_status == "draft" and claim.kind == "troop_deployment"
    assert claim.last_edited_by == page.wsgi_request.user, "so that someone else decides on it"
    assert claim.anchor.exact == "Moscow sent about 2,500 soldiers to Kazakhstan on Thursday."
    assert (claim.quantity_lower, claim.quantity_upper) == (2250, 2750)

    weeks = next(r for r in rows if r["candidate"].quantity and r["candidate"].quantity.text == "two")
    curator_browser.post(page.request["PATH_INFO"], {"candidate": weeks["key"], "action": "dismiss"})
    assert DismissedCandidate.objects.filter(source=source, quantity_text="two").exists()
    again = curator_browser.get(page.request["PATH_INFO"]).context["rows"]
    assert not any(r["key"] == weeks["key"] for r in again), "a dismissal is remembered"
    assert next(r for r in again if r["key"] == soldiers["key"])["claims"] == [claim.pk]


def test_a_text_already_stored_is_refused_with_a_link(curator_browser):
    existing = Source.objects.get(slug="kerres-2022-01-putin-kazakhstan-nato")
    response = curator_browser.post(
        "/admin/intake/incomingsource/add/", {**METADATA, "slug": "again", "pasted": existing.text}
    )
    assert response.status_code == 400
    assert existing.slug in response.content.decode()
    assert f"/admin/sources/source/{existing.pk}/change/" in response.content.decode()
    assert not Source.objects.filter(slug="again").exists()


def test_html_uploads_lose_their_markup_and_bad_input_is_refused(curator_browser):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = (
        b"<html><head><style>p{}</style></head><body><p>Over 3,000 people fled.</p><script>x()</script></body></html>"
    )
    upload = SimpleUploadedFile("story.html", page, content_type="text/html")
    response = curator_browser.post("/admin/intake/incomingsource/add/", {**METADATA, "upload": upload})
    assert response.status_code == 302
    assert Source.objects.get(slug=METADATA["slug"]).text == "Over 3,000 people fled."

    latin1 = SimpleUploadedFile("old.txt", "Café crème".encode("latin-1"))
    refused = curator_browser.post("/admin/intake/incomingsource/add/", {**METADATA, "slug": "x2", "upload": latin1})
    assert refused.status_code == 400 and "not UTF-8" in refused.content.decode()

    big = SimpleUploadedFile("big.txt", b"a" * (5 * 1024 * 1024 + 1))
    too_large = curator_browser.post("/admin/intake/incomingsource/add/", {**METADATA, "slug": "x3", "upload": big})
    assert too_large.status_code == 413


def test_people_who_cannot_curate_do_not_see_intake(db):
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("staff-only", password="x-very-long-passphrase", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/intake/incomingsource/add/").status_code in (302, 403)
    assert "intake" not in client.get("/admin/").content.decode().lower()


def test_the_candidates_page_reads_its_suggestions_once(curator_browser, django_assert_max_num_queries):
    report = Source.objects.get(slug="jankowski-bouvery-2022-near-abroad")
    url = f"/admin/intake/incomingsource/{report.pk}/candidates/"
    with django_assert_max_num_queries(25):  # not one query per candidate: the report has about 250
        page = curator_browser.get(url)
    assert len(page.context["rows"]) > 100
