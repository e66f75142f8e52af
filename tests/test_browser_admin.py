"""A curator and a reviewer in a real browser: from a passage of a source to a claim that the reviewer publishes
and the public API returns.

Playwright drives Debian's Chromium (/usr/bin/chromium; `apt-get install chromium`),
never a browser Playwright downloads. Without it the test is skipped with that hint,
except under CI (the CI variable set), where it fails: CI installs the browser.

The admin is served by its own gunicorn on the test database, like the ``live_api``
server, but with the admin's static files collected into a temporary STATIC_ROOT:
whitenoise indexes STATIC_ROOT when the server starts, and the session's ``live_api``
server may already be running without them. The data is shared with the rest of the
session, so the test deletes the claim it makes, through the API: the test's own
database connection sits in a transaction that is rolled back.

Screenshots of the source view and the claim form go to artifacts/ (not committed).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from tests.browser import ARTIFACTS, ROOT, committed_curator, launch_chromium, log_in, require_browser
from tests.conftest import _test_database_url
from tests.servers import gunicorn_server

SOURCE = "commentary-2022-01-24-russian-build-up"
PASSAGE = "French President Macron has stirred up turmoil by calling for a European initiative."
SUMMARY = "France's president called for a European initiative in the Ukraine crisis (browser test)."

# django_db makes pytest-django create the test database even when this file runs alone.
pytestmark = [pytest.mark.slow, pytest.mark.django_db]


@pytest.fixture(scope="module")
def admin_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn on the test database, serving the admin and its static files."""
    require_browser("admin browser test")
    static_root = tmp_path_factory.mktemp("static")
    with django_db_blocker.unblock():
        database_url = _test_database_url()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "claims_api.settings.test",
        "STATIC_ROOT": str(static_root),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    try:
        with gunicorn_server(env=env, ready_path="/static/admin/css/base.css") as server:
            yield server.base_url
    finally:
        shutil.rmtree(static_root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser_curator(django_db_setup, django_db_blocker):
    with committed_curator(django_db_blocker, "browser-curator") as (user, password, token):
        yield user.username, password, token


@pytest.fixture(scope="module")
def browser_reviewer(django_db_setup, django_db_blocker):
    """To publish what the curator drafted (four eyes)."""
    with committed_curator(django_db_blocker, "browser-reviewer", reviewer=True) as (user, password, _):
        yield user.username, password


# Where the passage is on screen: the middle of its first and of its last character.
_PASSAGE_ENDS = """
(passage) => {
    const container = document.getElementById("source-text");
    const index = container.textContent.indexOf(passage);
    if (index < 0) { return null; }
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
    let position = 0, first = null, last = null;
    while (walker.nextNode()) {
        const node = walker.currentNode, length = node.data.length;
        if (!first && index < position + length) { first = [node, index - position]; }
        if (index + passage.length <= position + length) { last = [node, index + passage.length - position]; break; }
        position += length;
    }
    first[0].parentElement.scrollIntoView({block: "center"});
    const range = document.createRange();
    range.setStart(first[0], first[1]); range.setEnd(first[0], first[1] + 1);
    const a = range.getBoundingClientRect();
    range.setStart(last[0], last[1] - 1); range.setEnd(last[0], last[1]);
    const b = range.getBoundingClientRect();
    return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
}
"""


def _api(url: str, token: str, method: str = "GET"):
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"Token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response) if response.status == 200 else None


def _delete_test_claims(base: str, token: str) -> None:
    query = urllib.parse.urlencode({"search": "European initiative browser test"})
    for item in _api(f"{base}/api/v1/claims/?{query}", token)["results"]:
        if item["summary"] == SUMMARY:
            _api(f"{base}/api/v1/claims/{item['id']}/", token, method="DELETE")


def test_a_curator_turns_a_selected_passage_into_a_claim_a_reviewer_publishes(
    admin_server, browser_curator, browser_reviewer
):
    from playwright.sync_api import sync_playwright

    from apps.sources.models import Source

    source = Source.objects.get(slug=SOURCE)
    start = source.text.index(PASSAGE)
    assert source.text.count(PASSAGE) == 1
    end = start + len(PASSAGE)
    username, password, token = browser_curator
    ARTIFACTS.mkdir(exist_ok=True)

    try:
        # The ORM refuses to run inside Playwright's event loop: the browser part only talks HTTP.
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                _curate_in_the_browser(
                    browser.new_page(viewport={"width": 1440, "height": 1000}),
                    admin_server,
                    username,
                    password,
                    source,
                    start,
                    end,
                    browser_reviewer,
                )
            finally:
                browser.close()
    finally:
        _delete_test_claims(admin_server, token)
    query = urllib.parse.urlencode({"search": "European initiative browser test"})
    remaining = _api(f"{admin_server}/api/v1/claims/?{query}", token)["results"]
    assert SUMMARY not in {item["summary"] for item in remaining}, "the test's claim was not removed"


def _curate_in_the_browser(page, admin_server, username, password, source, start, end, reviewer):
    from playwright.sync_api import expect

    page.set_default_timeout(15_000)
    log_in(page, admin_server, username, password)
    expect(page.locator("#site-name")).to_contain_text("claims_api curation")

    # The source, its claims' quotes highlighted, and the passage no claim covers yet.
    page.goto(f"{admin_server}/admin/sources/source/{source.pk}/change/")
    text = page.locator("#source-text")
    expect(text).to_be_visible()
    assert text.evaluate("element => getComputedStyle(element).whiteSpace") == "pre-wrap", "reader CSS missing"
    assert text.evaluate("element => element.textContent") == source.text
    expect(page.locator("#coverage-percent")).to_contain_text("%")
    page.screenshot(path=str(ARTIFACTS / "admin-source-view.png"))

    # A click on a highlighted quote opens its claim.
    first_quote = page.locator("mark.hl").first
    claim_url = first_quote.get_attribute("data-href")
    first_quote.click()
    page.wait_for_url(f"**{claim_url}")
    page.go_back()
    expect(text).to_be_visible()

    # Select the passage with the mouse, as a curator would.
    ends = page.evaluate(_PASSAGE_ENDS, PASSAGE)
    assert ends, "the passage is not in the reader"
    page.mouse.move(ends["x1"], ends["y1"])
    page.mouse.down()
    page.mouse.move(ends["x2"], ends["y2"], steps=12)
    page.mouse.up()
    expect(page.locator("#selection-info")).to_contain_text(f"Characters {start}–{end}")
    new_claim = page.locator("#new-claim")
    expect(new_claim).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "admin-source-selection.png"))
    new_claim.click()

    # The claim form: quote and offset filled in; the kind's rules guide the rest.
    page.wait_for_url(re.compile(r"/admin/claims/claim/add/\?"))
    expect(page.locator("#id_quote")).to_have_value(PASSAGE)
    expect(page.locator("#id_quote_start")).to_have_value(str(start))
    page.select_option("#id_kind", "diplomatic_demand")
    expect(page.locator("#kind-rule")).to_contain_text("Needs: subject")
    expect(page.locator(".form-row.field-subject")).to_have_class(re.compile(r"\bkind-required\b"))
    assert page.locator("#id_status option[value=condemned]").is_disabled()
    page.select_option("#id_status", "proposed")
    page.fill("#id_summary", SUMMARY)
    page.click(".field-subject .select2-selection")
    page.fill(".select2-container--open .select2-search__field", "France")
    page.locator(".select2-results__option", has_text=re.compile(r"^France$")).click()
    expect(page.locator("#select2-id_subject-container")).to_contain_text("France")
    page.screenshot(path=str(ARTIFACTS / "admin-claim-form.png"), full_page=True)
    page.click("input[name=_save]")
    added = page.locator(".messagelist .success")
    expect(added).to_contain_text("was added successfully")
    claim_id = int(re.search(r"/admin/claims/claim/(\d+)/change/", added.locator("a").get_attribute("href")).group(1))

    # A curator may not publish; a reviewer, who did not write it, publishes it with the bulk action.
    query = urllib.parse.urlencode({"q": "European initiative browser test"})
    page.goto(f"{admin_server}/admin/claims/claim/?{query}")
    assert page.locator("select[name=action] option[value=mark_published]").count() == 0
    log_in(page, admin_server, *reviewer)
    page.goto(f"{admin_server}/admin/claims/claim/?{query}")
    page.check(f"input[name=_selected_action][value='{claim_id}']")
    page.select_option("select[name=action]", "mark_published")
    page.click("button[name=index]")
    expect(page.locator(".messagelist")).to_contain_text("1 claim now published.")

    # Anyone can now find it through the public API, anchored where it was selected.
    query = urllib.parse.urlencode({"search": "European initiative"})
    with urllib.request.urlopen(f"{admin_server}/api/v1/claims/?{query}", timeout=10) as response:
        results = json.load(response)["results"]
    found = next((item for item in results if item["id"] == claim_id), None)
    assert found is not None, [item["id"] for item in results]
    assert found["review_status"] == "published" and found["subject"]["slug"] == "france"
    assert (found["anchor"]["exact"], found["anchor"]["start"], found["anchor"]["end"]) == (PASSAGE, start, end)


TROOPS_CLAIM = "kerres-putin-soldiers-around-ukraine"
TROOPS_OTHER = "kempe-putin-100000-soldiers-ukraine-border"


def test_a_curator_reads_a_comparison_and_overrules_a_verdict(admin_server, browser_curator):
    """The claim page's comparison panel and its chart, and a verdict overruled in one click."""
    from playwright.sync_api import expect, sync_playwright

    from apps.claims.models import Claim

    claim = Claim.objects.get(key=TROOPS_CLAIM)
    other = Claim.objects.get(key=TROOPS_OTHER)
    username, password, token = browser_curator
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            try:
                page = browser.new_page(viewport={"width": 1440, "height": 1000})
                page.set_default_timeout(15_000)
                log_in(page, admin_server, username, password)
                page.goto(f"{admin_server}/admin/claims/claim/{claim.pk}/change/")
                panel = page.locator("#comparison")
                expect(panel).to_be_visible()
                expect(panel).to_contain_text("Troop deployment · Russian Federation · soldiers")

                # The chart: an SVG image with a title, one labelled box per claim, a legend to read it without colour.
                chart = panel.locator("svg[role=img]")
                expect(chart).to_be_visible()
                title_id = chart.get_attribute("aria-labelledby").split()[0]
                expect(chart.locator(f"title#{title_id}")).to_contain_text("Reported figures")
                boxes = chart.locator("g.interval")
                expect(boxes).to_have_count(3)
                labels = [boxes.nth(i).get_attribute("aria-label") for i in range(3)]
                assert any("open above" in label and "over 100,000" in label for label in labels), labels
                assert all(box.bounding_box()["height"] > 0 for box in (boxes.nth(i) for i in range(3)))
                expect(panel.locator("figcaption tbody tr")).to_have_count(3)
                expect(panel.locator("figcaption")).to_contain_text("tens of thousands")
                page.locator("#comparison").scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / "admin-comparison-panel.png"), full_page=True)

                # The pair with Kempe agrees by rule and by a curated relation; overrule it as contradicting.
                row = panel.locator(f'tr.pair[data-claim="{other.pk}"]')
                expect(row.locator("td.decided")).to_contain_text("Agrees")
                row.get_by_role("button", name="Overrule: contradicts").click()
                expect(page.locator(".messagelist .success")).to_contain_text("contradicts")
                row = page.locator(f'#comparison tr.pair[data-claim="{other.pk}"]')
                expect(row.locator("td.curated")).to_contain_text("contradicts")
                expect(row.locator("td.decided")).to_contain_text("Disagrees")
                expect(row.locator("td.decided")).to_contain_text("curator")
            finally:
                browser.close()
    finally:
        for pk in (claim.pk, other.pk):
            listed = _api(f"{admin_server}/api/v1/claim-relations/?claim={pk}&type=contradicts", token)["results"]
            for relation in listed:
                if {relation["from_claim"]["id"], relation["to_claim"]["id"]} == {claim.pk, other.pk}:
                    _api(f"{admin_server}/api/v1/claim-relations/{relation['id']}/", token, method="DELETE")
    remaining = _api(f"{admin_server}/api/v1/claim-relations/?claim={claim.pk}&type=contradicts", token)["results"]
    assert all({r["from_claim"]["id"], r["to_claim"]["id"]} != {claim.pk, other.pk} for r in remaining)


def test_a_curator_narrows_the_claims_list_with_the_type_ahead_filters(admin_server, browser_curator):
    """The publisher and country boxes of the claims list: type, pick, and the list reloads filtered."""
    from playwright.sync_api import expect, sync_playwright

    from apps.claims.models import Claim, ClaimCountry

    in_ukraine = ClaimCountry.objects.filter(country="UA").values("claim")
    expected = Claim.objects.filter(pk__in=in_ukraine, source__publisher="DW").count()
    assert 0 < expected < 50, "fixture claims changed"
    username, password, _ = browser_curator
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(15_000)
            log_in(page, admin_server, username, password)
            page.goto(f"{admin_server}/admin/claims/claim/")
            for parameter, typed, picked in (("publisher", "D", "DW"), ("country", "Ukra", "Ukraine (UA)")):
                page.locator(f"select[data-filter-parameter={parameter}] + .select2").click()
                page.keyboard.type(typed)
                page.locator(".select2-results__option", has_text=picked).click()
                page.wait_for_url(re.compile(rf"[?&]{parameter}="))
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
            assert query["publisher"] == ["DW"] and query["country"] == ["UA"]
            expect(page.locator("#result_list tbody tr")).to_have_count(expected)
            expect(page.locator("select[data-filter-parameter=country] + .select2")).to_contain_text("Ukraine (UA)")
        finally:
            browser.close()
