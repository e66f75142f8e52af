"""A reader in a real browser: Debian's Chromium, driven by Playwright, on the reading room served by gunicorn.

The reader lands on the home page, searches "Kazakhstan", opens a claim, follows it to its
source, opens the disputed topics and then a topic's chart, and goes from the chart to a
claim. On every page type axe-core (the pinned npm package) finds no serious or critical
accessibility violation, the page fits a 375 px wide screen without sideways scrolling, and
the keyboard alone reaches the content. Screenshots go to artifacts/ (not committed).
"""

import re

import pytest

from tests.browser import ARTIFACTS, ROOT, launch_chromium, require_browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
# A topic whose three documents give three different troop figures.
TROOPS_TOPIC = "Troop deployment · Russian Federation · soldiers"

# No database access from the tests themselves: Django refuses it while Playwright's event loop runs.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser(live_api):
    """Chromium, started after the server (whose set-up uses the database)."""
    require_browser("reading room browser test")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make test` installs it (npm ci).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def _new_page(browser, width=1280, height=900):
    # The pages forbid every script; the test lifts that for axe-core only, in its own browser context.
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def _accessibility_problems(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def _check_page(page, name: str) -> None:
    """No serious accessibility problem, a JSON alternate, and a screenshot."""
    assert _accessibility_problems(page) == [], name
    assert page.locator('link[rel="alternate"][type="application/json"]').count() == 1, name
    page.screenshot(path=str(ARTIFACTS / f"reading-{name}.png"))


def _check_chart(chart) -> None:
    """An image named by its title and described; a box per row of its table, each source told apart by its marker."""
    from playwright.sync_api import expect

    title_id, desc_id = chart.get_attribute("aria-labelledby").split()
    expect(chart.locator(f"title#{title_id}")).to_contain_text("Reported figures")
    expect(chart.locator(f"desc#{desc_id}")).not_to_be_empty()
    boxes = chart.locator("g.interval")
    rows = chart.locator("xpath=ancestor::figure").locator(".chart-table tbody tr")
    assert boxes.count() == rows.count() > 0
    assert all(boxes.nth(i).bounding_box()["height"] > 0 for i in range(boxes.count()))


def test_a_reader_walks_from_the_home_page_to_a_source_and_a_disputed_topic(live_api, browser):
    from playwright.sync_api import expect

    base = live_api["base_url"]
    ARTIFACTS.mkdir(exist_ok=True)
    page = _new_page(browser)

    page.goto(f"{base}/")
    expect(page.locator("h1")).to_contain_text("Who claimed what")
    _check_page(page, "home")

    page.get_by_label("Search the claims").fill("Kazakhstan")
    page.get_by_label("Search the claims").press("Enter")
    page.wait_for_url(re.compile(r"/claims/\?search=Kazakhstan$"))
    expect(page.locator("h1")).to_have_text("Claims matching “Kazakhstan”")
    first = page.locator(".claim-list .claim-summary a").first
    expect(first).to_contain_text("Kazakhstan")
    _check_page(page, "claims")

    summary = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(summary)
    expect(page.locator(".passage mark")).to_be_visible()
    _check_page(page, "claim")

    page.get_by_role("link", name="Read the passage in the full source").click()
    page.wait_for_url(re.compile(r"/sources/[-\w]+/#claim-\d+$"))
    claim_id = page.url.rsplit("#claim-", 1)[1]
    # The passage the reader came for is on screen, highlighted and linked back to its claim.
    quote = page.locator(f'a.quote[href="/claims/{claim_id}/"]').first
    expect(quote).to_be_in_viewport()
    _check_page(page, "source")

    # Disputed topics, then every topic compared across documents, each figure drawn on a chart.
    page.goto(f"{base}/")
    page.get_by_role("link", name="All disputed topics →").click()
    page.wait_for_url(re.compile(r"/comparisons/\?disputed=true$"))
    expect(page.locator(".topic .verdict-disagree").first).to_be_visible()
    page.get_by_role("link", name="All compared topics").click()
    chart = page.locator(".topic svg[role=img]").first
    expect(chart).to_be_visible()
    _check_chart(chart)
    page.get_by_label("Kind").select_option(label="Troop deployment")
    page.get_by_role("button", name="Show topics").click()
    page.wait_for_url(re.compile(r"/comparisons/\?kind=troop_deployment"))
    troops = page.get_by_role("link", name=TROOPS_TOPIC)
    _check_page(page, "comparisons")

    troops.click()
    expect(page.locator("h1")).to_have_text(TROOPS_TOPIC)
    _check_chart(page.locator("svg[role=img]"))
    _check_page(page, "comparison")

    # From the chart's table to a claim, whose page shows the same comparison.
    page.locator(".chart-table tbody th a").first.click()
    expect(page.locator("#comparison-heading")).to_be_visible()
    expect(page.locator(".comparison .topic-heading")).to_have_text(TROOPS_TOPIC)
    _check_chart(page.locator(".comparison svg[role=img]"))
    page.locator("#comparison-heading").evaluate("element => element.scrollIntoView()")
    _check_page(page, "claim-compared")

    page.goto(f"{base}/no/such/page/")
    expect(page.locator("h1")).to_have_text("Nothing here")
    assert _accessibility_problems(page) == [], "404"
    page.screenshot(path=str(ARTIFACTS / "reading-404.png"))
    page.context.close()


PAGES = {
    "home": "/",
    "claims": "/claims/?country=kz",
    "claim": None,  # the first claim of the list
    "source": "/sources/commentary-2022-01-24-russian-build-up/",
    "comparisons": "/comparisons/",
    "comparison": None,  # the troops topic, with a chart
    "claim compared": None,  # the first claim of its chart
    "not found": "/no/such/page/",
}


def test_every_page_type_fits_a_375_px_screen(live_api, browser):
    from playwright.sync_api import expect

    base = live_api["base_url"]
    page = _new_page(browser, width=375, height=812)
    page.goto(f"{base}/claims/")
    PAGES["claim"] = page.locator(".claim-list .claim-summary a").first.get_attribute("href")
    page.goto(f"{base}/comparisons/?kind=troop_deployment")
    charted = page.locator(".topic", has=page.get_by_role("link", name=TROOPS_TOPIC))
    PAGES["comparison"] = charted.locator(".topic-heading a").get_attribute("href")
    PAGES["claim compared"] = charted.locator(".chart-table tbody th a").first.get_attribute("href")
    for name, path in PAGES.items():
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow} px at 375 px"
        assert _accessibility_problems(page) == [], name
        page.screenshot(path=str(ARTIFACTS / f"reading-{name.replace(' ', '-')}-375.png"), full_page=False)
    page.context.close()


def test_the_keyboard_alone_reaches_search_results_and_a_claim(live_api, browser):
    from playwright.sync_api import expect

    page = _new_page(browser)
    page.goto(f"{live_api['base_url']}/")
    # The first Tab lands on the skip link, which moves focus past the header to the content.
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # Tab on until the home page's search box, type, submit.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "home-search":
            break
    expect(page.locator("#home-search")).to_be_focused()
    page.keyboard.type("Kazakhstan")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"search=Kazakhstan"))
    # Tab to the first claim of the results and open it with Enter; focus is visible on the way.
    first = page.locator(".claim-list .claim-summary a").first
    for _ in range(80):
        page.keyboard.press("Tab")
        if first.evaluate("element => element === document.activeElement"):
            break
    expect(first).to_be_focused()
    outline = first.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused link shows no focus outline"
    summary = first.inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(summary)
    page.context.close()
