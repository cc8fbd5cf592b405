"""Headless Chromium for the page tests: one place that knows where Chromium is, how it is
started, where screenshots go, and that a page must make no request beyond its own file."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # screenshots to look at
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


@contextmanager
def open_page(url: str, width: int = 1300, height: int = 900):
    """``(page, requests)`` with ``url`` loaded; skips the test when Chromium is not installed.
    ``requests`` lists every URL the page asked for, so a test can prove it stays offline."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed: browser screenshot test skipped")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            yield page, requests
        finally:
            browser.close()
