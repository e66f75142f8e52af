"""A new document in a real browser: pasted by a curator, a candidate accepted, published by a reviewer,
then found by anyone through the public API. Chromium as in tests/test_browser_admin.py."""

import json
import re
import urllib.request

import pytest

from tests.browser import ARTIFACTS, committed_curator, launch_chromium, log_in
from tests.test_browser_admin import admin_server  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

SLUG = "browser-intake-wire"
DOCUMENT = "Moscow sent about 2,500 soldiers to Kazakhstan on Thursday. The mission will end soon."


@pytest.fixture(scope="module")
def two_curators(django_db_setup, django_db_blocker):
    """Two curators with passwords, committed (the server is another process) before the test's transaction."""
    with (
        committed_curator(django_db_blocker, "intake-drafter") as drafter,
        committed_curator(django_db_blocker, "intake-publisher", reviewer=True) as publisher,
    ):
        try:
            yield drafter, publisher
        finally:
            from apps.sources.models import Source

            with django_db_blocker.unblock():
                for source in Source.objects.filter(slug=SLUG):
                    source.claims.all().delete()
                    source.delete()


def test_a_pasted_document_becomes_a_published_claim(admin_server, two_curators):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    (drafter, drafter_password, _), (publisher, publisher_password, _) = two_curators
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(30_000)
            log_in(page, admin_server, drafter.username, drafter_password)
            page.goto(f"{admin_server}/admin/intake/incomingsource/add/")
            page.fill("#id_slug", SLUG)
            page.fill("#id_title", "CSTO mission (browser test)")
            page.fill("#id_published_on", "2022-01-07")
            page.select_option("#id_kind", "news")
            page.fill("#id_pasted", DOCUMENT)
            page.click("input[type=submit]")
            expect(page.locator(".messagelist")).to_contain_text("here are its candidate claims")
            row = page.locator("#candidates tbody tr", has=page.locator(".amount", has_text="about 2,500"))
            expect(row).to_contain_text("2250.0 – 2750.0 soldiers")
            page.screenshot(path=str(ARTIFACTS / "admin-intake-candidates.png"), full_page=True)
            row.locator("button[value=accept]").click()
            message = page.locator(".messagelist .success")
            expect(message).to_contain_text("Draft claim #")
            claim_id = int(re.search(r"Draft claim #(\d+)", message.inner_text()).group(1))

            log_in(page, admin_server, publisher.username, publisher_password)
            page.goto(f"{admin_server}/admin/claims/claim/?q=Moscow+sent+about+2%2C500")
            page.check(f"input[name=_selected_action][value='{claim_id}']")
            page.select_option("select[name=action]", "mark_published")
            page.click("button[name=index]")
            expect(page.locator(".messagelist")).to_contain_text("1 claim now published.")
        finally:
            browser.close()

    with urllib.request.urlopen(f"{admin_server}/api/v1/claims/?source={SLUG}", timeout=10) as response:
        (found,) = json.load(response)["results"]
    assert found["id"] == claim_id and found["review_status"] == "published"
    assert found["quantity"]["lower"] == 2250 and found["quantity"]["upper"] == 2750
    assert found["anchor"]["exact"] == "Moscow sent about 2,500 soldiers to Kazakhstan on Thursday."
