"""Overriding commissioner assessments in the review app: the Assessments page, the override form
(stored, shown, applied, stale, refused), undo, export/import of override rows, and a screenshot."""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

import pytest
from test_review import Auditor, _field, _rows
from test_review_support import PAGES, build_store, sha256
from typer.testing import CliRunner

from svmine.assess.model import Assessment, Signal
from svmine.review import create_app, formats
from svmine.store import Store, decisions
from svmine.store.assessments import load_assessments, save_assessments
from browser import ARTIFACTS, CHROMIUM, LAUNCH_ARGS

HTML_QUOTE = "Our policy <script>alert('q')</script> & <b>bold</b> claims adherence to the Act."


def _assessments(plan: Path) -> list[Assessment]:
    """Three organisations (real codes, invented evidence): one waits for review, one has a
    signal on the store's PDF (linked to its page), one has no signal at all."""
    sha = sha256(plan)
    weigh = PAGES[1][0]  # signals on the store's PDF point at whole lines of its pages
    return [
        Assessment(org_code="00C", org_name="NHS Darlington CCG", commitment="highly committed", evidence="evidenced",
                   approach="active", confidence=0.82, region="North East and Yorkshire", org_type="ccg", documents=1,
                   reasons=["stand-alone policy found -> highly committed", "weighting 10 % -> active"],
                   signals=[Signal("approach.weighting", "approach", str(plan), sha, 2, weigh, 10.0, 0, len(weigh)),
                            Signal("policy.standalone", "policy", str(plan), sha, 1, PAGES[0][0], None,
                                   0, len(PAGES[0][0]))]),
        Assessment(org_code="07L", org_name="NHS Barking and Dagenham CCG", commitment="committed",
                   evidence="not evidenced", approach="passive", confidence=0.41, needs_review=True, region="London",
                   org_type="ccg", documents=1, reasons=["principles only -> committed", "signals conflict -> review"],
                   signals=[Signal("policy.principles_only", "policy", "replies/foi-07L.txt", "f" * 64, 3, HTML_QUOTE),
                            Signal("negative.no_activity", "negative", "replies/foi-07L.txt", "f" * 64, 1,
                                   "No contracts were let in the last twelve months.")]),
        Assessment(org_code="99A", org_name="NHS Liverpool CCG", commitment="uncommitted", evidence="not evidenced",
                   approach="passive", confidence=0.6, region="North West", org_type="ccg"),
    ]


@pytest.fixture
def db(tmp_path):
    db = build_store(tmp_path)
    with Store.open(db, mode="rw") as store:
        save_assessments(store, _assessments(tmp_path / "plan-a.pdf"))
    return db


def _card(html: str, code: str) -> str:
    start = html.index(f'id="org-{code}"')
    end = html.find("</section>", start)
    return html[start:end]


def _form(html: str, code: str, scale: str) -> dict:
    """The hidden fields of one override form as the page drew it."""
    card = _card(html, code)
    at = card.index(f'name="scale" value="{scale}"')
    form = card[card.rindex("<form", 0, at): card.index("</form>", at)]
    return {name: _field(form, name) for name in ("csrf", "nonce", "org_code", "scale", "seen")}


def _override(auditor: Auditor, code: str, scale: str, rating: str, note: str = "", page: str | None = None):
    page = page or auditor.client.get("/assessments").text
    return auditor.client.post("/override", data={**_form(page, code, scale), "rating": rating, "note": note})


def _loaded(db) -> dict[str, Assessment]:
    with Store.open(db, mode="ro") as store:
        return {a.org_code: a for a in load_assessments(store)}


def test_page_lists_organisations_to_review_first_with_their_evidence(db):
    alice = Auditor(create_app(db), "alice")
    html = alice.client.get("/assessments").text
    assert html.index('id="org-07L"') < html.index('id="org-00C"') < html.index('id="org-99A"')
    darlington = _card(html, "00C")
    assert "<strong>highly committed</strong>" in darlington and "confidence 0.82" in darlington
    assert "<li>weighting 10 % -&gt; active</li>" in darlington  # the decision path
    # policy signals before approach ones; each with document, page (linked: the store has it) and quote
    assert darlington.index("policy.standalone") < darlington.index("approach.weighting")
    assert f'<a href="/doc/1/page/1?org=00C&amp;start=0&amp;end={len(PAGES[0][0])}">p. 1</a>' in darlington
    assert f'<a href="/doc/1/page/2?org=00C&amp;start=0&amp;end={len(PAGES[1][0])}">p. 2</a>' in darlington
    assert f"“{PAGES[1][0]}”" in darlington and ">10<" in darlington
    assert "plan-a.pdf" in darlington
    barking = _card(html, "07L")
    assert "needs review" in barking and "foi-07L.txt" in barking and "p. 3" in barking
    assert "/doc/" not in barking  # its reply is not in the store: page number without a link
    assert "No signal found" in _card(html, "99A")
    for card in (darlington, barking):
        assert card.count('action="/override"') == 3
    assert 'id="assessments-link">Assessments <span class="count">1 to review</span>' in alice.queue().text
    only = alice.client.get("/assessments", query_string={"review": "1"}).text
    assert 'id="org-07L"' in only and 'id="org-00C"' not in only


def test_signal_link_marks_the_sentence_on_the_page_and_leads_back(db):
    alice = Auditor(create_app(db), "alice")
    card = _card(alice.client.get("/assessments").text, "00C")
    link = re.search(r'href="(/doc/1/page/2\?[^"]+)"', card).group(1).replace("&amp;", "&")
    html = alice.client.get(link).text
    assert f'<mark id="current">{PAGES[1][0]}</mark>' in html
    assert html.count('class="hl"') >= 1  # boxed on the page image
    assert 'href="/assessments#org-00C"' in html and "Back to the assessments" in html


@pytest.mark.parametrize(
    "org, start, end, marked",
    [("00C", "0", "0", False), ("00C", "5", "2", False), ("00C", "0", "99999", False), ("00C", "\u00b2", "4", False),
     ("00C", "", "4", False), ("00C", "-1", "4", False), ("ZZZ", "0", "4", True), ("<b>x</b>", "0", "4", True)],
)
def test_a_bad_signal_link_marks_nothing_and_leads_to_the_queue(db, org, start, end, marked):
    alice = Auditor(create_app(db), "alice")
    response = alice.client.get("/doc/1/page/1", query_string={"org": org, "start": start, "end": end})
    assert response.status_code == 200
    assert ('<mark id="current">Our </mark>' in response.text) is marked
    assert "Back to the queue" in response.text and "Evidence for the assessment" not in response.text


def test_quotes_and_notes_with_html_are_shown_as_text(db):
    alice = Auditor(create_app(db), "alice")
    response = _override(alice, "07L", "commitment", "apparently committed", note="<img src=x onerror=alert(2)>")
    assert response.status_code == 303
    html = alice.client.get("/assessments").text
    assert "<script>alert('q')</script>" not in html and "<b>bold</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html


@pytest.mark.parametrize(
    "code, scale, rating, note",
    [
        ("07L", "commitment", "highly committed", ""),
        ("07L", "evidence", "evidenced", "FOI reply names two tenders"),
        ("00C", "approach", "limited", "weighting applies to one lot only"),
    ],
)
def test_override_is_stored_shown_and_applied(db, code, scale, rating, note):
    alice = Auditor(create_app(db), "alice")
    before = getattr(_loaded(db)[code], scale)
    response = _override(alice, code, scale, rating, note)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/assessments#org-{code}")
    row = _rows(db)[-1]
    assert (row["item_type"], row["item_key"], row["decision"], row["label"], row["auditor"]) == (
        "assessment", f"assessment:{code}:{scale}", "override", rating, "alice")
    after = _loaded(db)[code]
    assert getattr(after, scale) == rating and after.overridden == {scale: "alice"} and not after.needs_review
    card = _card(alice.client.get("/assessments").text, code)
    shown = f"overridden by alice (computed: {before})" + (f": “{note}”" if note else "")
    assert shown in card and f"alice set {scale} to <strong>{rating}</strong>" in card
    assert f'<option value="{rating}" selected>' in card[card.index(f'value="{scale}"'):]
    if code == "07L":  # the only organisation waiting for review is settled
        assert "to review</span>" not in alice.queue().text.split('id="assessments-link"')[1][:80]


def test_stale_override_is_a_conflict_and_a_reloaded_one_wins(db):
    app = create_app(db)
    alice, bob = Auditor(app, "alice"), Auditor(app, "bob")
    stale = bob.client.get("/assessments").text
    assert _override(alice, "07L", "approach", "limited").status_code == 303
    late = _override(bob, "07L", "approach", "active", page=stale)
    assert late.status_code == 409 and "alice overrode this item as limited" in late.text
    assert _loaded(db)["07L"].approach == "limited"
    other_scale = _override(bob, "07L", "evidence", "evidenced", page=stale)  # another scale is not stale
    assert other_scale.status_code == 303
    assert _override(bob, "07L", "approach", "active").status_code == 303  # with the page reloaded
    assert (_loaded(db)["07L"].approach, _loaded(db)["07L"].overridden["approach"]) == ("active", "bob")


def test_a_doubled_submit_is_stored_once(db):
    alice = Auditor(create_app(db), "alice")
    form = {**_form(alice.client.get("/assessments").text, "00C", "evidence"), "rating": "not evidenced"}
    assert [alice.client.post("/override", data=form).status_code for _ in range(2)] == [303, 303]
    assert sum(r["decision"] == "override" for r in _rows(db)) == 1
    again = alice.client.post("/override", data={**form, "rating": "evidenced"})
    assert again.status_code == 409 and "already submitted" in again.text


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"org_code": "ZZZ"}, 404),
        ({"org_code": ""}, 404),
        ({"org_code": "07l"}, 404),
        ({"scale": "colour"}, 400),
        ({"scale": ""}, 400),
        ({"rating": "very active"}, 400),
        ({"rating": "evidenced"}, 400),  # a rating of another scale
        ({"rating": ""}, 400),
        ({"rating": "Active"}, 400),
        ({"seen": "\u00b2"}, 400),
        ({"seen": "99999999999999999999999"}, 400),
        ({"seen": "-1"}, 400),
        ({"note": "x" * 501}, 400),
        ({"csrf": ""}, 400),
        ({"note": "x" * 500}, 303),
        ({"seen": ""}, 303),  # a script's post: no staleness check
    ],
)
def test_bad_override_values_are_404_or_400(db, change, expected):
    alice = Auditor(create_app(db), "alice")
    form = {**_form(alice.client.get("/assessments").text, "07L", "approach"), "rating": "active", **change}
    response = alice.client.post("/override", data=form)
    assert response.status_code == expected, response.text[:300]
    assert (sum(r["decision"] == "override" for r in _rows(db)) == 1) is (expected == 303)


def test_override_needs_a_login(db):
    client = create_app(db).test_client()
    assert client.get("/assessments").headers["Location"].endswith("/login")
    page = client.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    data = {"csrf": csrf, "org_code": "07L", "scale": "approach", "rating": "active"}
    assert client.post("/override", data=data).status_code == 403


def test_undo_takes_the_override_back(db):
    alice = Auditor(create_app(db), "alice")
    _override(alice, "07L", "approach", "active")
    response = alice.undo(nonce="u1")
    assert response.status_code == 303 and response.headers["Location"].endswith("/assessments#org-07L")
    rows = _rows(db)
    assert [(r["decision"], r["undone"], r["item_key"]) for r in rows[-2:]] == [
        ("override", 1, "assessment:07L:approach"), ("undo", 0, "assessment:07L:approach")]
    back = _loaded(db)["07L"]
    assert (back.approach, back.overridden, back.needs_review) == ("passive", {}, True)
    card = _card(alice.client.get("/assessments").text, "07L")
    assert "overridden by" not in card and "needs review" in card
    assert _override(alice, "07L", "approach", "limited").status_code == 303  # the form's seen counts the undo


def test_no_assessments_no_link_and_a_hint(tmp_path):
    db = build_store(tmp_path)
    alice = Auditor(create_app(db), "alice")
    assert "assessments-link" not in alice.queue().text
    assert "The store holds no assessments" in alice.client.get("/assessments").text


def test_override_rows_travel_through_export_and_import(db, tmp_path):
    from svmine.cli.main import app as cli

    alice = Auditor(create_app(db), "alice")
    _override(alice, "07L", "approach", "limited", note="one named tender")
    _override(alice, "00C", "evidence", "not evidenced")
    alice.undo()  # the 00C override is undone: it must stay undone after the trip
    out = tmp_path / "trail.jsonl"
    runner = CliRunner()
    exported = runner.invoke(cli, ["annotations", "export", "--db", str(db), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    assert out.read_text().count('"decision": "override"') == 2
    other = tmp_path / "other"
    other.mkdir()
    copy = build_store(other)
    with Store.open(copy, mode="rw") as store:
        save_assessments(store, _assessments(other / "plan-a.pdf"))
    for expected in ("3 imported, 0 already present", "0 imported, 3 already present"):
        imported = runner.invoke(cli, ["annotations", "import", "--db", str(copy), str(out)])
        assert imported.exit_code == 0 and expected in imported.output, imported.output
    moved = _loaded(copy)
    assert (moved["07L"].approach, moved["07L"].overridden) == ("limited", {"approach": "alice"})
    assert (moved["00C"].evidence, moved["00C"].overridden) == ("evidenced", {})
    assert decisions.training_examples(copy) == []  # a rating is not a training sentence
    assert formats.export_annotations(copy, "prodigy", tmp_path / "p.jsonl") == 0


# -- in Chromium ----------------------------------------------------------------------------------------


@pytest.mark.browser
def test_assessments_page_in_chromium(db):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: browser test skipped")
    playwright_api = pytest.importorskip("playwright.sync_api")
    from svmine.review.server import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    srv = make_server(db, "127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        with playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1360, "height": 900})
                dialogs: list[str] = []
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(f"http://127.0.0.1:{srv.server_port}/")
                page.fill("#name", "alice")
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                with page.expect_navigation():
                    page.click("#assessments-link")
                page.screenshot(path=str(ARTIFACTS / "review-assessments-before.png"), full_page=True)
                card = page.locator("#org-07L")
                card.locator("tr.scale-approach select").select_option("limited")
                card.locator("tr.scale-approach input[name=note]").fill("one tender named on page 3")
                with page.expect_navigation():
                    card.locator("tr.scale-approach button").click()
                page.screenshot(path=str(ARTIFACTS / "review-assessments.png"), full_page=True)
                shown = page.locator("#org-07L tr.scale-approach").inner_text()
                quote = page.locator("#org-07L td.quote").first.inner_text()
                with page.expect_navigation():
                    page.locator("#org-00C td.where a").nth(1).click()  # the weighting sentence, page 2
                page.wait_for_function("document.getElementById('pageimage').complete"
                                       " && document.getElementById('pageimage').naturalWidth > 0")
                marked = page.locator("#current").inner_text()
                boxes = page.locator("svg.overlay rect.hl").count()
                page.screenshot(path=str(ARTIFACTS / "review-assessment-signal-page.png"))
                with page.expect_navigation():
                    page.keyboard.press("b")
                back = page.url
            finally:
                browser.close()
    finally:
        srv.shutdown()
        srv.server_close()
    assert "limited" in shown and "overridden by alice (computed: passive)" in shown
    assert "<script>alert('q')</script>" in quote and dialogs == []
    assert _loaded(db)["07L"].approach == "limited"
    assert marked == PAGES[1][0] and boxes >= 1 and back.endswith("/assessments#org-00C")
