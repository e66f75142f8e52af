"""The reading room's pages, through Django's test client on the real database: the same claims as the
API for the same filters, facet counts that match, keyset pages, quotes in context, nothing hidden shown,
every parameter escaped, and the site's 404 and API index."""

import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import curator_create
from apps.claims.models import Claim, ReviewStatus
from apps.claims.services import claim_create, claim_relation_create
from apps.sources.models import Source

pytestmark = pytest.mark.django_db

SOURCE = "commentary-2022-01-24-russian-build-up"
CLAIM_LINK = re.compile(r'<h3 class="claim-summary"><a href="/claims/(\d+)/">')
# Every parameter the claim list takes, so that each can carry an injection attempt.
LIST_PARAMETERS = [
    "kind", "status", "review_status", "subject", "object", "claimant", "actor", "country", "location", "source",
    "publisher", "valid_from", "valid_to", "reported_from", "reported_to", "quantity_min", "quantity_max", "unit",
    "related", "search", "ordering", "cursor", "page_size", "count",
]  # fmt: skip
PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture(autouse=True)
def fresh_overview():
    # The home page keeps its figures in the cache; each test reads its own database state.
    cache.clear()
    yield
    cache.clear()


def _page_ids(html: str) -> list[int]:
    return [int(pk) for pk in CLAIM_LINK.findall(html)]


def _api_ids(client, query: str) -> list[int]:
    ids, url = [], f"/api/v1/claims/?{query}&page_size=500"
    while url:
        body = client.get(url).json()
        ids += [claim["id"] for claim in body["results"]]
        url = body["next"]
    return ids


@pytest.mark.parametrize(
    "query",
    [
        "search=Kazakhstan",
        "country=kz",
        "kind=troop_deployment&country=UA",
        "stance=stated&kind=sanctions",
        f"source={SOURCE}&ordering=position",
        "related=contradicts",
        "quantity_min=50000&unit=soldiers&ordering=-quantity",
        "reported_from=2022-01-01&reported_to=2022-01-31",
    ],
)
def test_claim_list_shows_what_the_api_returns_for_the_same_query(client, query):
    html = client.get(f"/claims/?{query}&page_size=500").content.decode()
    expected = _api_ids(client, query)
    assert expected, "the query should match some claims"
    assert _page_ids(html) == expected
    assert f'<link rel="alternate" type="application/json" href="/api/v1/claims/?{query}' in html.replace("&amp;", "&")


def test_keyset_pages_walk_every_claim_once_in_order(client):
    seen, url = [], "/claims/?country=UA&page_size=7"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        seen += _page_ids(html)
        next_link = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = next_link and urlsplit(next_link.group(1).replace("&amp;", "&"))._replace(scheme="", netloc="").geturl()
    assert len(seen) > 14
    assert seen == _api_ids(client, "country=UA")


def _facet_counts(html: str, section: str) -> dict[str, int]:
    block = re.search(rf"<h3>{section}</h3>\s*<ul>(.*?)</ul>", html, re.S).group(1)
    return {
        query.replace("&amp;", "&"): int(count)
        for query, count in re.findall(r'<a href="\?([^"]+)"[^>]*>[^<]*</a> <span class="count">(\d+)</span>', block)
    }


def test_facet_counts_are_the_counts_of_the_filtered_lists_they_link_to(client):
    html = client.get("/claims/?country=kz").content.decode()
    for section in ("Kind", "How the source puts it", "Country", "Source"):
        counts = _facet_counts(html, section)
        assert counts, section
        for query, count in counts.items():
            assert client.get(f"/api/v1/claims/?{query}&count=true").json()["count"] == count, query
    assert "Counts among the first" not in html  # under the cut the counts are exact
    # Countries that share claims with the chosen one are counted, not linked: the API's country filter
    # takes several codes as "any of", so a link could only widen the list.
    russia = re.search(r"<span>Russian Federation</span> <span class=\"count\">(\d+)</span>", html).group(1)
    both = Claim.objects.filter(review_status="published", countries="KZ").filter(countries="RU").count()
    assert int(russia) == both


def test_claim_page_reads_as_plain_words_with_the_passage_in_context(client):
    claim = Claim.objects.get(key="commentary-0124-russia-100000-troops-around-ukraine")
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert f"<h1>{claim.summary}</h1>" in html
    assert "“over 100,000”, that is at least 100,000 soldiers, no upper bound" in html
    # The quote is marked inside the sentences around it, taken from the source's text.
    assert f"<mark>{claim.anchor.exact}</mark>" in html
    assert "While Putin’s intentions are guesswork, the facts are deeply troubling. <mark>" in html
    assert "</mark> Far Eastern battalions are moved west" in html
    assert f'href="/sources/{SOURCE}/#claim-{claim.pk}"' in html
    # Relations in both directions, each to the other claim's page, with the curators' explanation.
    kerres = Claim.objects.get(key="kerres-putin-soldiers-around-ukraine")
    assert claim.relations_from.filter(to_claim=kerres).exists()
    assert f'</strong> <a href="/claims/{kerres.pk}/">' in html
    assert f'<link rel="alternate" type="application/json" href="/api/v1/claims/{claim.pk}/">' in html


def test_claim_page_says_when_a_claim_holds(client):
    claim = Claim.objects.filter(valid_from__isnull=False, review_status=ReviewStatus.PUBLISHED).first()
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert "<dt>When</dt>" in html


def test_source_page_highlights_every_published_claim_in_reading_order(client):
    source = Source.objects.get(slug=SOURCE)
    claims = list(
        Claim.objects.filter(source=source, review_status=ReviewStatus.PUBLISHED).order_by("anchor__start", "id")
    )
    html = client.get(f"/sources/{SOURCE}/").content.decode()
    for claim in claims:
        assert f'<span id="claim-{claim.pk}"></span>' in html
    listed = [int(pk) for pk in re.findall(r'<li><a href="/claims/(\d+)/">', html)]
    assert listed == [claim.pk for claim in claims]
    text = re.sub(r"<[^>]+>", "", re.search(r'<div class="text">(.*?)</div>', html, re.S).group(1))
    assert (
        text.replace("&#x27;", "'")
        .replace("&quot;", '"')
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        == source.text
    )


@pytest.fixture
def hidden(db):
    """A draft, a rejected claim and notes that no page may show, and a curator whose name must not appear."""
    user, _ = curator_create(username="leaky-curator-name", email="leaky@example.org")
    source = Source.objects.get(slug=SOURCE)
    quote = "Moscow also sent landing craft to the Black Sea"

    def claim(summary, review_status, notes):
        return claim_create(
            source=source, kind="other", status="announced", summary=summary, quote=quote,
            review_status=review_status, notes=notes,
        )  # fmt: skip

    draft = claim("Zanzibarleak draft about the Black Sea.", ReviewStatus.DRAFT, "SECRETNOTE draft")
    claim("Rejectedleak claim about the Black Sea.", ReviewStatus.REJECTED, "SECRETNOTE rejected")
    published = claim("A published claim about landing craft.", ReviewStatus.PUBLISHED, "PUBLISHEDNOTE")
    claim_relation_create(
        from_claim=published, to_claim=draft, type="contradicts", note="DRAFTRELNOTE", created_by=user
    )
    return {"draft": draft, "published": published}


def test_no_page_shows_drafts_notes_or_user_names(client, hidden, admin_client):
    secrets = ["Zanzibarleak", "Rejectedleak", "SECRETNOTE", "PUBLISHEDNOTE", "DRAFTRELNOTE", "leaky"]
    pages = [
        "/",
        "/claims/",
        "/claims/?search=Black+Sea",
        "/claims/?related=contradicts",
        f"/claims/{hidden['published'].pk}/",
        f"/sources/{SOURCE}/",
    ]
    # Signed in as a curator or not, a page shows what everyone may see.
    for reader in (client, admin_client):
        for page in pages:
            response = reader.get(page)
            assert response.status_code == 200, page
            html = response.content.decode()
            for secret in secrets:
                assert secret not in html, (page, secret)
        assert reader.get(f"/claims/{hidden['draft'].pk}/").status_code == 404
    assert "A published claim about landing craft." in client.get(f"/sources/{SOURCE}/").content.decode()


@pytest.mark.parametrize("parameter", LIST_PARAMETERS)
def test_every_parameter_is_escaped(client, parameter):
    response = client.get("/claims/", {parameter: PAYLOAD})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert response["Content-Type"].startswith("text/html")


def test_a_bad_filter_is_a_400_page_naming_the_parameter(client):
    response = client.get("/claims/?kind=nope&country=XX")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>kind</strong>: Select a valid choice. nope is not one of the available choices." in html
    assert "<strong>country</strong>: Unknown country code XX" in html


def test_search_on_other_pages_is_escaped(client):
    for page in ("/", f"/sources/{SOURCE}/", "/nowhere/"):
        html = client.get(page, {"search": PAYLOAD, "q": PAYLOAD}).content.decode()
        assert "<script>alert(1)" not in html


def test_unknown_pages_get_the_site_404_and_the_api_its_error_shape(client):
    response = client.get("/no/such/page/?x=<b>")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Nothing here" in html and 'class="site-header"' in html
    assert "<b>" not in html
    for missing in ("/claims/999999999/", "/claims/99999999999999999999/", "/sources/no-such-source/"):
        page = client.get(missing)
        assert page.status_code == 404 and 'class="site-header"' in page.content.decode(), missing
    api = client.get("/api/v1/nothing-here/")
    assert api.status_code == 404
    body = api.json()
    assert (body["status"], body["code"], body["detail"], body["errors"]) == (
        404,
        "not_found",
        "No API endpoint at /api/v1/nothing-here/.",
        [],
    )


def test_api_index_links_every_resource_the_schema_and_the_docs(client):
    body = client.get("/api/v1/").json()
    assert set(body["resources"]) == {
        "countries", "actors", "sources", "claims", "claim-relations", "claim-kinds", "claim-stances",
        "comparisons", "tokens", "changes",
    }  # fmt: skip
    public = [url for name, url in body["resources"].items() if name != "tokens"]  # tokens need credentials
    for url in [*public, body["schema"], body["docs"], body["redoc"]]:
        assert client.get(urlsplit(url).path).status_code == 200, url


def test_pages_carry_the_apis_security_headers(client):
    api = client.get("/api/v1/claims/")
    for page in ("/", "/claims/", f"/sources/{SOURCE}/", "/nowhere/"):
        response = client.get(page)
        for header in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy"):
            assert response[header] == api[header], (page, header)
        policy = response["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src" not in policy  # no script may run on a page


def test_list_and_claim_pages_take_a_constant_number_of_queries(client):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("/claims/?page_size=5") == queries("/claims/?page_size=100")
    busy = Claim.objects.get(key="commentary-0124-russia-100000-troops-around-ukraine")
    quiet = Claim.objects.filter(relations_from=None, relations_to=None, review_status="published").first()
    assert queries(f"/claims/{busy.pk}/") == queries(f"/claims/{quiet.pk}/")


def test_home_page_describes_the_dataset_with_entry_points(client):
    html = client.get("/").content.decode()
    published = Claim.objects.filter(review_status=ReviewStatus.PUBLISHED).count()
    assert f"{published} published claims from 5 sources" in html
    assert 'role="search"' in html and 'name="search"' in html
    assert f'href="/sources/{SOURCE}/"' in html
    assert 'href="/claims/?kind=troop_deployment"' in html
    assert 'href="/claims/?country=UA"' in html
    assert '<span class="versus">contradicts</span>' in html
    assert '<link rel="alternate" type="application/json" href="/api/v1/">' in html
