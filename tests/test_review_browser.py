"""The review page in real headless Chromium: keyboard flow, XSS shown as text, screenshots.

Screenshots of the queue and of the page view go to ``test-artifacts/`` for people to look at.
"""

from __future__ import annotations

import logging
import threading

import pytest
from test_review_support import PAGES, XSS_IMG, XSS_SCRIPT, build_store

from svmine.review.server import make_server
from svmine.store import Store
from browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS


pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent: browser test skipped"),
]


@pytest.fixture
def server(tmp_path):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    db = build_store(tmp_path)
    srv = make_server(db, "127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield db, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1360, "height": 860})
            yield context.new_page()
        finally:
            browser.close()


def _rows(db) -> list[dict]:
    conn = Store.connect(db)
    try:
        return [dict(r) for r in conn.conn.execute("SELECT * FROM annotations ORDER BY id")]
    finally:
        conn.close()


def _press(page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


SELECT_IN_PAGETEXT = """(needle) => {
  const pre = document.getElementById('pagetext');
  const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      return true;
    }
  }
  return false;
}"""


def test_keyboard_flow_xss_and_screenshots(server, page):
    db, base = server
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto(f"{base}/")
    page.fill("#name", "alice")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#sentence mark").inner_text() == "social value"
    page.screenshot(path=str(ARTIFACTS / "review-queue.png"), full_page=True)

    _press(page, "a")  # accept "social value"
    assert [(r["decision"], r["label"], r["text"]) for r in _rows(db)] == [
        ("accept", "social_value_explicit", "social value")]

    _press(page, "r")  # reject "voluntary and community sector"
    assert _rows(db)[-1]["decision"] == "reject" and _rows(db)[-1]["text"] == "voluntary and community sector"

    # The third item's sentence carries the XSS payload: shown as text, nothing runs.
    sentence = page.locator("#sentence").inner_text()
    assert XSS_SCRIPT in sentence and XSS_IMG in sentence
    assert page.locator("img[src='x']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "review-queue-xss.png"), full_page=True)

    _press(page, "2")  # relabel as implicit social value
    last = _rows(db)[-1]
    assert (last["decision"], last["label"]) == ("relabel", "social_value_implicit") and XSS_SCRIPT in last["text"]

    _press(page, "u")  # undo the relabel: the same item comes back
    rows = _rows(db)
    assert [(r["decision"], r["undone"]) for r in rows[-2:]] == [("relabel", 1), ("undo", 0)]
    assert XSS_SCRIPT in page.locator("#sentence").inner_text()

    _press(page, "p")  # page view of that item
    page.wait_for_function("document.getElementById('pageimage').complete"
                           " && document.getElementById('pageimage').naturalWidth > 0")
    assert page.locator("svg.overlay rect.hl").count() >= 1
    assert XSS_IMG in page.locator("#pagetext").inner_text()
    page.screenshot(path=str(ARTIFACTS / "review-page-view.png"), full_page=False)

    needle = "Local people will help shape services"
    assert page.evaluate(SELECT_IN_PAGETEXT, needle)
    page.wait_for_function("!document.querySelector('button.addbtn').disabled")
    assert needle in page.locator("#selection-hint").inner_text()
    page.screenshot(path=str(ARTIFACTS / "review-page-add.png"), full_page=False)
    _press(page, "3")  # add the selection as a VCSE mention
    added = _rows(db)[-1]
    text = "\n".join(PAGES[0])
    assert (added["decision"], added["label"], added["text"], added["start"], added["page"]) == (
        "add", "vcse", needle, text.index(needle), 1)
    assert "Added:" in page.locator(".notice").inner_text()

    _press(page, "b")  # back to the queue
    assert page.locator("#decide").count() == 1
    assert dialogs == []
