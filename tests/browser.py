"""Debian's Chromium for browser tests (/usr/bin/chromium; `apt-get install chromium`), never a browser
Playwright downloads. Without it a browser test is skipped with that hint, except under CI (the CI variable
set), where it fails: CI installs the browser."""

import os
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
