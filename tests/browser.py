"""Debian's Chromium for browser tests (/usr/bin/chromium; `apt-get install chromium`), never a browser
Playwright downloads. Without it a browser test is skipped with that hint, except under CI (the CI variable
set), where it fails: CI installs the browser."""

import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]


def require_browser(what: str) -> None:
    problem = None
    if not CHROMIUM.exists():
        problem = "no browser at /usr/bin/chromium: install Debian's Chromium (`apt-get install chromium`)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing: `pip install -r requirements-dev.txt`"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the {what}, but {problem}.")
        pytest.skip(f"{what} skipped: {problem}.")


def launch_chromium(playwright, *extra_args: str):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args])


@contextmanager
def committed_curator(django_db_blocker, username: str, *, reviewer: bool = False):
    """A curator with a password, committed (the server under test is another process) and removed afterwards.
    Yields the user, the password and the API token."""
    from apps.accounts.services import curator_create

    password = secrets.token_urlsafe(18)
    with django_db_blocker.unblock():
        user, token = curator_create(username=username, password=password, reviewer=reviewer)
    try:
        yield user, password, token
    finally:
        with django_db_blocker.unblock():
            user.delete()


def log_in(page, base_url: str, username: str, password: str) -> None:
    """Log in to the admin as ``username``, leaving whoever was logged in before."""
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(f"{base_url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
