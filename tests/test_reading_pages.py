"""The reading room's pages, through Django's test client on the real database: the same claims as the
API for the same filters, facet counts that match, keyset pages, quotes in context, nothing hidden shown,
every parameter escaped, and the site's 404 and API index."""

import csv
import io
import re
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.services import curator_create
from apps.claims.models import Claim, ReviewStatus
from apps.claims.services import claim_create, claim_relation_create
from apps.comparisons.models import Proposition
from apps.reading import facets
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


def test_past_the_cut_facets_count_the_first_matches_in_the_pages_order(client, monkeypatch):
    """A country's list walks that country's links in order; the counts cover its first matches, as shown."""
    monkeypatch.setattr(facets, "FACET_SAMPLE", 5)
    html = client.get("/claims/?country=UA").content.decode()
    assert "Counts among the first 5 matches." in html
    first = _page_ids(html)[:5]
    kinds = Counter(Claim.objects.filter(id__in=first).values_list("kind", flat=True))
    assert _facet_counts(html, "Kind") == {f"country=UA&kind={kind}": n for kind, n in kinds.items()}


def test_claim_page_reads_as_plain_words_with_the_passage_in_context(client):
    claim = Claim.objects.get(key="commentary-0124-russia-100000-troops-around-ukraine")
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert f"<h1>{claim.summary}</h1>" in html
    assert "“over 100,000”, that is at least 100,000 soldiers, no upper bound" in html
    # "and their numbers keep growing", with the list of the claims said to be growing behind it.
    assert '<dt>Which way</dt><dd><a href="/claims/?trend=growing">growing</a>, the source says</dd>' in html
    assert claim.summary in client.get("/claims/", {"trend": "growing"}).content.decode()
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
        "/comparisons/",
        "/comparisons/?disputed=true",
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
    for page in ("/", "/claims/", f"/sources/{SOURCE}/", "/comparisons/", "/nowhere/"):
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
    assert 'href="/comparisons/?disputed=true">All disputed topics →</a>' in html
    assert '<li><a href="/comparisons/">Comparisons</a></li>' in html  # in the navigation of every page


# Comparisons: topics compared across documents, each with a chart of its figures and a table of them.
TROOPS_CLAIM = "kerres-putin-soldiers-around-ukraine"
TROOPS_OTHERS = ("kempe-putin-100000-soldiers-ukraine-border", "commentary-0124-russia-100000-troops-around-ukraine")
TOPIC_HEADING = re.compile(r'<h2 id="topic-(\d+)-heading" class="topic-heading">')


def _topic_of(key: str) -> int:
    return Claim.objects.get(key=key).membership.proposition_id


def _api_topic_ids(client, query: str = "") -> list[int]:
    ids, url = [], f"/api/v1/comparisons/?{query}"
    while url:
        body = client.get(url).json()
        ids += [comparison["proposition"]["id"] for comparison in body["results"]]
        url = body["next"]
    return ids


def _chart(html: str, topic: int) -> str:
    section = re.search(
        rf'<section class="topic[^"]*" aria-labelledby="topic-{topic}-heading">(.*?)</section>', html, re.S
    )
    return section.group(1)


@pytest.mark.parametrize("query", ["", "disputed=true", "country=KZ", "kind=troop_deployment"])
def test_comparisons_page_lists_the_topics_the_api_lists(client, query):
    ids, url = [], f"/comparisons/?{query}"
    while url:
        html = client.get(url).content.decode()
        ids += [int(pk) for pk in TOPIC_HEADING.findall(html)]
        next_link = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = next_link and urlsplit(next_link.group(1).replace("&amp;", "&"))._replace(scheme="", netloc="").geturl()
    assert ids and ids == _api_topic_ids(client, query)
    first = client.get(f"/comparisons/?{query}").content.decode().replace("&amp;", "&")
    api = f"/api/v1/comparisons/?{query}" if query else "/api/v1/comparisons/"
    assert f'<link rel="alternate" type="application/json" href="{api}">' in first


def test_a_topic_is_charted_by_source_with_labels_and_a_table(client):
    topic = _topic_of(TROOPS_CLAIM)
    html = client.get("/comparisons/?kind=troop_deployment").content.decode()
    assert '<a href="/comparisons/">Comparisons</a>' in html.replace(' aria-current="page"', "")
    section = _chart(html, topic)
    assert "Troop deployment · Russian Federation · soldiers" in section
    # An image with its own title and description, ids unique to this chart.
    svg = re.search(r"<svg [^>]*>", section).group(0)
    title_id, desc_id = re.search(r'aria-labelledby="([^" ]+) ([^"]+)"', svg).groups()
    assert 'role="img"' in svg
    assert (
        f'<title id="{title_id}">Reported figures: Troop deployment' in section and f'<desc id="{desc_id}">' in section
    )
    assert html.count(f'id="{title_id}"') == 1
    # One box per claim, each source with its own colour, hatching and marker shape, labelled on the chart.
    boxes = re.findall(
        r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="[^"]+" fill="url\(#([^)]+)\)" stroke="(#\w+)"', section
    )
    assert len(boxes) == 3 and len({pattern for pattern, _ in boxes}) == 3 and len({colour for _, colour in boxes}) == 3
    markers = re.findall(r'<g aria-hidden="true"><(circle|rect|polygon)', section)
    assert len(set(markers)) == 3
    for number, name in ((1, "Kempe"), (2, "Kerres")):
        assert f'>{number}<tspan class="series-name"> {name}</tspan></text>' in section
    assert 'stroke-dasharray="5 3"' in section  # "over 100,000" is open above
    # The table says the same in words, each row linked to its claim's page.
    rows = re.findall(r'<tr><th scope="row"><a href="/claims/(\d+)/">\d</a></th>', section)
    assert sorted(int(pk) for pk in rows) == sorted(Claim.objects.get(key=k).pk for k in (TROOPS_CLAIM, *TROOPS_OTHERS))
    assert "at least 100,000, open above (“over 100,000”)" in section
    assert "20,000 to 99,999 (“tens of thousands”)" in section
    # Where the figures part ways, and why.
    assert "Changed over time</strong>" in section and "Judged so by a curator." in section


def test_disputed_topics_come_first_and_topics_without_figures_say_so(client):
    html = client.get("/comparisons/?disputed=true").content.decode()
    topics = [int(pk) for pk in TOPIC_HEADING.findall(html)]
    assert topics and all(
        disputed for disputed in Proposition.objects.filter(pk__in=topics).values_list("disputed", flat=True)
    )
    assert "At least one pair disagrees" in html
    assert "None of these claims gives a figure, so there is nothing to chart" in html
    everything = client.get("/comparisons/").content.decode()
    assert [int(pk) for pk in TOPIC_HEADING.findall(everything)][: len(topics)] == topics


def test_claim_page_shows_its_comparison_with_the_same_chart(client):
    claim = Claim.objects.get(key=TROOPS_CLAIM)
    html = client.get(f"/claims/{claim.pk}/").content.decode()
    assert '<h2 id="comparison-heading">What other documents report</h2>' in html
    topic = _topic_of(TROOPS_CLAIM)
    assert f'<a href="/comparisons/{topic}/">Troop deployment · Russian Federation · soldiers</a>' in html
    listed = _chart(client.get(f"/comparisons/{topic}/").content.decode(), topic)
    shown = re.search(r'<figure class="interval-chart">.*?</figure>', html, re.S).group(0)
    assert shown == re.search(r'<figure class="interval-chart">.*?</figure>', listed, re.S).group(0)
    assert f"<strong>{claim.summary}</strong> (this claim)" in html
    for key in TROOPS_OTHERS:
        assert f'href="/claims/{Claim.objects.get(key=key).pk}/"' in html
    # A claim that no other document speaks to has no comparison section.
    alone = Claim.objects.filter(review_status="published", membership__proposition__document_count=1).first()
    assert "What other documents report" not in client.get(f"/claims/{alone.pk}/").content.decode()


def test_comparison_pages_show_published_claims_only(client, admin_client):
    hidden = Claim.objects.get(key=TROOPS_OTHERS[0])
    Claim.objects.filter(pk=hidden.pk).update(review_status=ReviewStatus.DRAFT)
    topic = _topic_of(TROOPS_CLAIM)
    for reader in (client, admin_client):
        for page in (f"/comparisons/{topic}/", "/comparisons/?kind=troop_deployment", f"/claims/{_topic_claim()}/"):
            html = reader.get(page).content.decode()
            assert hidden.summary not in html and f"/claims/{hidden.pk}/" not in html, page
            assert "(“approximately 100,000”)" not in html, page
            assert html.count('class="interval"') == 2, page


def _topic_claim() -> int:
    return Claim.objects.get(key=TROOPS_CLAIM).pk


def test_comparison_pages_answer_404_and_400_in_the_sites_style(client):
    single = Proposition.objects.filter(document_count=1).first()
    for missing in ("/comparisons/999999999/", "/comparisons/99999999999999999999/", f"/comparisons/{single.pk}/"):
        response = client.get(missing)
        assert response.status_code == 404 and 'class="site-header"' in response.content.decode(), missing
    response = client.get("/comparisons/?kind=nope&disputed=maybe")
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>kind</strong>" in html and "<strong>disputed</strong>" in html


@pytest.mark.parametrize(
    "parameter", ["kind", "country", "actor", "disputed", "as_of", "as_of_rule", "cursor", "page_size"]
)
def test_every_comparison_parameter_is_escaped(client, parameter):
    response = client.get("/comparisons/", {parameter: PAYLOAD})
    assert response.status_code in (200, 400)
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_comparison_pages_take_a_constant_number_of_queries(client):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    assert queries("/comparisons/?page_size=1") == queries("/comparisons/?page_size=20")
    small = _topic_of("kempe-geneva-brussels-vienna-talks")
    large = _topic_of("commentary-0124-russia-demands-nato-leave-eastern-europe")
    assert queries(f"/comparisons/{small}/") == queries(f"/comparisons/{large}/")


def test_every_claim_list_page_links_its_csv_export_with_the_same_filters(client):
    html = client.get("/claims/?country=ua&kind=troop_deployment&ordering=-quantity&page_size=2").content.decode()
    link = re.search(r'<a href="([^"]+)" type="text/csv" download>', html).group(1).replace("&amp;", "&")
    assert link == "/api/v1/claims/export.csv?country=ua&kind=troop_deployment&ordering=-quantity"
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    exported = [int(row["id"]) for row in rows]
    assert exported == _api_ids(client, "country=ua&kind=troop_deployment&ordering=-quantity")
    assert len(exported) > 2
    # The next page links the same file: a page is a view of the list, the file is all of it.
    next_page = re.search(r'<a rel="next" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    later = client.get(urlsplit(next_page)._replace(scheme="", netloc="").geturl()).content.decode()
    assert f'<a href="{link.replace("&", "&amp;")}" type="text/csv" download>' in later
    empty = client.get("/claims/?search=nothingmatchesthisxyz").content.decode()
    assert 'href="/api/v1/claims/export.csv?search=nothingmatchesthisxyz" type="text/csv"' in empty


def test_a_topic_too_large_to_draw_is_summarised_without_comparing_its_pairs(client):
    topic = _topic_of(TROOPS_CLAIM)
    claim = Claim.objects.get(key=TROOPS_CLAIM)
    drawn = client.get(f"/comparisons/{topic}/").content.decode()
    assert 'class="interval-chart"' in drawn
    Proposition.objects.filter(pk=topic).update(claim_count=5000, document_count=900, disputed=True)
    for page in (f"/comparisons/{topic}/", "/comparisons/?kind=troop_deployment&disputed=true", f"/claims/{claim.pk}/"):
        with CaptureQueriesContext(connection) as captured:
            html = client.get(page).content.decode()
        assert "5000 published claims from 900 documents" in html, page
        assert "At least one pair disagrees" in html and f'href="/api/v1/comparisons/{topic}/"' in html, page
        assert 'class="interval-chart"' not in html, page
        assert not any("comparisons_membership m" in query["sql"] for query in captured.captured_queries), page
