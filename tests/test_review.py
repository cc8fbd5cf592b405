"""The review web app through Flask's test client: login, queue, decisions, page view, security."""

from __future__ import annotations

import re

import pytest
from test_review_support import PAGES, XSS_IMG, XSS_SCRIPT, build_store
from typer.testing import CliRunner

from svmine.review import create_app
from svmine.review.app import lead_tokens
from svmine.store import Store, decisions, review


@pytest.fixture
def db(tmp_path):
    return build_store(tmp_path)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1).replace("&amp;", "&")


class Auditor:
    """A logged-in test-client session."""

    def __init__(self, app, name: str, token: str | None = None):
        self.client = app.test_client()
        page = self.client.get("/login").text
        data = {"name": name, "csrf": _csrf(page)}
        if token:
            data["token"] = token
        self.login = self.client.post("/login", data=data)
        self.csrf = _csrf(self.client.get("/").text) if self.login.status_code == 302 else None

    def queue(self, **args):
        return self.client.get("/", query_string=args)

    def current_key(self, **args) -> str | None:
        html = self.queue(**args).text
        found = re.search(r'name="item_key" value="([^"]*)"', html)
        return found.group(1).replace("&amp;", "&") if found else None

    def decide(self, key: str, action: str, **extra):
        data = {"csrf": self.csrf, "item_key": key, "action": action, **extra}
        return self.client.post("/decide", data=data)

    def undo(self, **extra):
        return self.client.post("/undo", data={"csrf": self.csrf, **extra})


def _rows(db):
    conn = Store.connect(db)
    try:
        return [dict(r) for r in conn.conn.execute("SELECT * FROM annotations ORDER BY id")]
    finally:
        conn.close()


# -- login ----------------------------------------------------------------------------------------------


def test_pages_need_a_login(db):
    client = create_app(db).test_client()
    assert client.get("/").headers["Location"].endswith("/login")
    assert client.get("/doc/1/page/1").status_code == 302


@pytest.mark.parametrize(
    "token, given, name, ok",
    [
        (None, None, "alice", True),
        (None, None, "", False),
        (None, None, "<b>x</b>", False),
        ("s3cret", "s3cret", "alice", True),
        ("s3cret", "wrong", "alice", False),
        ("s3cret", None, "alice", False),
        ("s3cret", "s3crét", "alice", False),
        ("töken", "töken", "Jürgen O'Neil", True),
    ],
)
def test_login(db, token, given, name, ok):
    auditor = Auditor(create_app(db, token=token), name, given)
    assert (auditor.login.status_code == 302) is ok


def test_secret_key_is_kept_per_database(db):
    assert create_app(db).secret_key == create_app(db).secret_key


# -- queue ----------------------------------------------------------------------------------------------


def test_queue_shows_one_item_with_its_keys(db):
    html = Auditor(create_app(db), "alice").queue().text
    assert html.count('name="item_key"') == 1
    for key in ("a", "r", "1", "2", "3", "0", "s", "u", "p"):
        assert f'data-key="{key}"' in html
    assert "<mark>social value</mark>" in html  # document order: first mention of page 1


def test_document_text_is_escaped(db):
    html = Auditor(create_app(db), "alice").queue(source="classifier", order="document").text
    assert XSS_SCRIPT not in html and XSS_IMG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "script-src 'self'" in Auditor(create_app(db), "bob").queue().headers["Content-Security-Policy"]


def test_accept_reject_relabel_skip_are_stored(db):
    alice = Auditor(create_app(db), "alice")
    first = alice.current_key()
    assert alice.decide(first, "accept").status_code == 303
    second = alice.current_key()
    assert second != first
    alice.decide(second, "reject")
    third = alice.current_key()
    alice.decide(third, "relabel:social_value_implicit")
    rows = _rows(db)
    assert [(r["item_key"], r["decision"], r["label"]) for r in rows] == [
        (first, "accept", "social_value_explicit"),
        (second, "reject", "other"),
        (third, "relabel", "social_value_implicit"),
    ]
    assert rows[0]["auditor"] == "alice" and rows[0]["document_sha256"] and rows[0]["text"] == "social value"


@pytest.mark.parametrize(
    "action, status, label",
    [("accept", 303, "E54000052"), ("reject", 303, "none"), ("relabel:vcse", 400, None)],
)
def test_name_match_decisions(db, action, status, label):
    alice = Auditor(create_app(db), "alice")
    html = alice.queue(category="name_match").text
    assert "Surrey Heartlands Health &amp; Care" in html and "E54000053" in html  # query and runner-up
    key = alice.current_key(category="name_match")
    assert alice.decide(key, action).status_code == status
    assert [r["label"] for r in _rows(db)] == ([label] if label else [])


def test_skip_sends_the_item_to_the_back(db):
    alice = Auditor(create_app(db), "alice")
    first = alice.current_key()
    alice.decide(first, "skip")
    assert alice.current_key() != first
    for _ in range(4):
        alice.decide(alice.current_key(), "accept")
    assert alice.current_key() == first


def test_revisiting_my_decisions_moves_on_after_each(db):
    alice = Auditor(create_app(db), "alice")
    first = alice.current_key()
    alice.decide(first, "accept")
    second = alice.current_key()
    alice.decide(second, "accept")
    assert alice.current_key(status="mine") == first  # decided longest ago comes first
    alice.decide(first, "reject", status="mine")
    assert alice.current_key(status="mine") == second
    assert [r["label"] for r in _rows(db) if r["item_key"] == first] == ["social_value_explicit", "other"]


def test_undo_restores_the_last_decision(db):
    alice = Auditor(create_app(db), "alice")
    first = alice.current_key()
    alice.decide(first, "reject")
    response = alice.undo()
    assert response.status_code == 303 and "key=" in response.headers["Location"]
    rows = _rows(db)
    assert [(r["decision"], r["undone"]) for r in rows] == [("reject", 1), ("undo", 0)]
    assert alice.current_key() == first
    assert alice.undo().status_code == 303 and len(_rows(db)) == 2  # nothing left to undo


@pytest.mark.parametrize(
    "action, status", [("explode", 400), ("relabel:", 400), ("relabel:nonsense", 400), ("accept:vcse", 400)]
)
def test_bad_actions_are_refused(db, action, status):
    alice = Auditor(create_app(db), "alice")
    assert alice.decide(alice.current_key(), action).status_code == status
    assert _rows(db) == []


def test_unknown_item_gets_404(db):
    alice = Auditor(create_app(db), "alice")
    assert alice.decide("mention:nope:1:0:1:vcse", "accept").status_code == 404


def test_an_item_is_shown_to_n_auditors_then_leaves(db):
    app = create_app(db, auditors_per_item=2)
    alice, bob, carol = Auditor(app, "alice"), Auditor(app, "bob"), Auditor(app, "carol")
    first = alice.current_key()
    alice.decide(first, "accept")
    assert alice.current_key() != first  # left alice's queue
    assert bob.current_key() == first  # still in the global queue
    bob.decide(first, "accept")
    assert carol.current_key() != first  # two auditors decided: gone for everyone
    conn = Store.connect(db)
    try:
        assert review.queue_count(conn, "carol", auditors_per_item=2) == 4
    finally:
        conn.close()


@pytest.mark.parametrize(
    "args, expected_count",
    [
        ({}, 5),
        ({"category": "vcse"}, 1),
        ({"category": "name_match"}, 1),
        ({"source": "classifier"}, 2),
        ({"source": "pattern", "category": "social_value"}, 1),
        ({"footprint": "E54000052"}, 5),
        ({"footprint": "E54000099"}, 0),
        ({"document": "1"}, 5),
        ({"document": "2"}, 0),
        ({"status": "mine"}, 0),
        ({"status": "all"}, 5),
    ],
)
def test_filters(db, args, expected_count):
    html = Auditor(create_app(db), "alice").queue(**args).text
    assert re.search(r'id="left">(\d+) left', html).group(1) == str(expected_count)
    assert ('name="item_key"' in html) is (expected_count > 0)


def test_most_uncertain_first(db):
    alice = Auditor(create_app(db), "alice")
    assert alice.current_key(order="uncertain").endswith(":2:0:81:social_value")  # p = 0.55
    assert alice.current_key(order="document").endswith(":1:22:34:social_value")  # "social value", page 1


def test_filters_survive_a_decision(db):
    alice = Auditor(create_app(db), "alice")
    key = alice.current_key(category="social_value")
    response = alice.decide(key, "accept", category="social_value", order="uncertain", status="bogus")
    assert "category=social_value" in response.headers["Location"] and "bogus" not in response.headers["Location"]


# -- security ---------------------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(db):
    alice = Auditor(create_app(db), "alice")
    key = alice.current_key()
    assert alice.client.post("/decide", data={"item_key": key, "action": "accept"}).status_code == 400
    assert alice.client.post("/decide", data={"item_key": key, "action": "accept", "csrf": "x"}).status_code == 400
    assert alice.client.post("/undo").status_code == 400
    assert alice.client.post("/undo", data={"csrf": "café"}).status_code == 400
    assert alice.client.post("/add", data={"doc_id": 1, "page": 1, "start": 0, "end": 3}).status_code == 400
    assert _rows(db) == []
    header = alice.client.post("/decide", data={"item_key": key, "action": "accept"},
                               headers={"X-CSRF-Token": alice.csrf})
    assert header.status_code == 303


def test_login_post_needs_csrf_too(db):
    client = create_app(db).test_client()
    assert client.post("/login", data={"name": "alice"}).status_code == 400


def test_request_size_is_bounded(db):
    alice = Auditor(create_app(db), "alice")
    big = {"csrf": alice.csrf, "item_key": "x" * 100_000, "action": "accept"}
    assert alice.client.post("/decide", data=big).status_code == 413


def test_same_nonce_is_stored_once(db):
    alice = Auditor(create_app(db), "alice")
    key = alice.current_key()
    alice.decide(key, "accept", nonce="n-1")
    alice.decide(key, "accept", nonce="n-1")
    assert len(_rows(db)) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/doc/1/page/../../../../etc/passwd",
        "/doc/1/page/%2e%2e%2f%2e%2e%2fetc%2fpasswd.png",
        "/doc/999/page/1.png",
        "/doc/1/page/9.png",
        "/doc/999/page/1",
        "/static/../../store/annotations.py",
        "/static/..%2f..%2fstore%2fannotations.py",
        "/doc/-1/page/1.png",
    ],
)
def test_no_route_reads_files_outside_the_store(db, url):
    alice = Auditor(create_app(db), "alice")
    assert alice.client.get(url).status_code == 404


def test_changed_file_is_not_rendered(db, tmp_path):
    alice = Auditor(create_app(db), "alice")
    (tmp_path / "plan-a.pdf").write_bytes(b"%PDF-1.4 something else")
    assert alice.client.get("/doc/1/page/1.png").status_code == 404


@pytest.mark.parametrize(
    "host, status",
    [
        ("evil.example", 400),
        ("evil.example:8765", 400),
        ("127.0.0.1.evil.example", 400),
        ("localhost.evil.example", 400),
        ("[::2]:8765", 400),
        ("10.0.0.1", 400),
        ("", 400),
        ("127.0.0.1:8765", 200),
        ("127.0.0.2:8765", 200),
        ("127.255.0.9", 200),
        ("localhost:8765", 200),
        ("LOCALHOST", 200),
        ("[::1]:8765", 200),
        ("[::1]", 200),
        ("[::ffff:127.0.0.1]:8765", 200),
    ],
)
def test_host_header_check_on_loopback(db, host, status):
    client = create_app(db, loopback_only=True).test_client()
    response = client.get("/login", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        assert response.content_type.startswith("text/plain") and "loopback" in response.text


# -- page view -------------------------------------------------------------------------------------------


def test_page_image_is_rendered_and_cached(db, tmp_path):
    alice = Auditor(create_app(db), "alice")
    response = alice.client.get("/doc/1/page/2.png")
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    cached = list((tmp_path / "review.db.cache" / "pages").glob("*-2.png"))
    assert len(cached) == 1


def test_page_view_highlights_the_mention(db):
    alice = Auditor(create_app(db), "alice")
    key = alice.current_key(order="uncertain")
    html = alice.client.get("/doc/1/page/2", query_string={"key": key}).text
    rects = re.findall(r'<rect class="hl" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"', html)
    assert len(rects) == 1
    x, y, w, h = map(float, rects[0])
    # The sentence was drawn at x=60pt, baseline 780pt on an A4 page (595 x 842 pt).
    assert 90 < x < 110 and 50 < y < 80 and w > 500 and 10 < h < 30
    assert '<mark id="current">Commissioners will weigh' in html


def test_decide_from_the_page_view(db):
    alice = Auditor(create_app(db), "alice")
    key = alice.current_key(order="uncertain")
    html = alice.client.get("/doc/1/page/2", query_string={"key": key, "order": "uncertain"}).text
    assert _field(html, "item_key") == key and 'data-key="a"' in html
    response = alice.client.post("/decide", data={"csrf": _csrf(html), "item_key": key, "action": "reject",
                                                  "order": "uncertain"})
    assert response.status_code == 303 and "order=uncertain" in response.headers["Location"]
    assert _rows(db)[-1]["decision"] == "reject"


def test_page_view_escapes_page_text(db):
    html = Auditor(create_app(db), "alice").client.get("/doc/1/page/1").text
    assert XSS_SCRIPT not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_add_missed_mention(db):
    alice = Auditor(create_app(db), "alice")
    text = "\n".join(PAGES[0])
    needle = "Local people will help shape services"
    start = text.index(needle)
    response = alice.client.post("/add", data={
        "csrf": alice.csrf, "doc_id": 1, "page": 1, "start": start, "end": start + len(needle), "text": needle,
        "label": "social_value_implicit",
    })
    assert response.status_code == 303
    row = _rows(db)[-1]
    assert (row["decision"], row["label"], row["text"], row["start"]) == ("add", "social_value_implicit", needle, start)
    assert row["sentence"] == PAGES[0][3]


def test_add_realigns_shifted_offsets(db):
    alice = Auditor(create_app(db), "alice")
    text = "\n".join(PAGES[0])
    needle = "local procurement"
    start = text.index(needle)
    alice.client.post("/add", data={"csrf": alice.csrf, "doc_id": 1, "page": 1, "start": start - 2,
                                    "end": start - 2 + len(needle), "text": needle, "label": "vcse"})
    assert _rows(db)[-1]["start"] == start


@pytest.mark.parametrize(
    "form, status",
    [
        ({"start": 0, "end": 5, "text": "Our p", "label": "bogus"}, 400),
        ({"start": 0, "end": 5, "text": "not on the page", "label": "vcse"}, 400),
        ({"start": "x", "end": 5, "text": "Our p", "label": "vcse"}, 400),
        ({"start": 0, "end": 5, "text": "Our p", "label": "vcse", "page": 7}, 404),
        ({"start": 0, "end": 5, "text": "Our p", "label": "vcse", "doc_id": 42}, 404),
    ],
)
def test_add_refuses_bad_input(db, form, status):
    alice = Auditor(create_app(db), "alice")
    data = {"csrf": alice.csrf, "doc_id": 1, "page": 1, **form}
    assert alice.client.post("/add", data=data).status_code == status
    assert _rows(db) == []


# -- conflicts ------------------------------------------------------------------------------------------


def test_conflicts_and_adjudication(db):
    app = create_app(db, auditors_per_item=2, leads=["lead"])
    alice, bob = Auditor(app, "alice"), Auditor(app, "bob")
    lead = Auditor(app, "lead", lead_tokens(app)["lead"])
    key = alice.current_key()
    alice.decide(key, "accept")
    bob.decide(key, "reject")
    assert alice.client.get("/conflicts").status_code == 403
    page = lead.client.get("/conflicts").text
    assert "1 conflicts" in page and _field(page, "item_key") == key
    assert "/doc/1/page/1?key=" in page
    refused = alice.client.post("/adjudicate", data={"csrf": alice.csrf, "item_key": key, "label": "other"})
    assert refused.status_code == 403
    done = lead.client.post("/adjudicate", data={"csrf": lead.csrf, "item_key": key, "label": "other"})
    assert done.status_code == 303
    assert "0 conflicts" in lead.client.get("/conflicts").text
    assert {"text": PAGES[0][0], "labels": ["other"]} in decisions.training_examples(db)


# -- command -------------------------------------------------------------------------------------------------


def test_review_command_refuses_a_public_address_without_token(db):
    from svmine.cli.main import app

    result = CliRunner().invoke(app, ["review", "--db", str(db), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "refusing to serve on 0.0.0.0 without an access token" in result.output


def test_review_command_refuses_a_file_that_is_not_a_store(tmp_path):
    from svmine.cli.main import app

    bad = tmp_path / "not.db"
    bad.write_text("this is not SQLite at all " * 100)
    result = CliRunner().invoke(app, ["review", "--db", str(bad), "--port", "0"])
    assert result.exit_code == 2 and "not a usable svmine database" in result.output


@pytest.mark.parametrize(
    "host, token, ok",
    [("127.0.0.1", None, True), ("localhost", None, True), ("::1", None, True), ("127.0.0.2", None, True),
     ("0.0.0.0", None, False), ("192.168.1.5", None, False), ("0.0.0.0", "t", True), ("example.org", None, False)],
)
def test_check_address(host, token, ok):
    from svmine.review.server import check_address

    if ok:
        check_address(host, token)
    else:
        with pytest.raises(ValueError):
            check_address(host, token)


# -- document names and text-only pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    "paths, expected",
    [
        (["/a/plan.pdf", "/b/other.pdf"], ["plan.pdf", "other.pdf"]),
        (["/x/2019/plan.pdf", "/x/2020/plan.pdf", "/y/notes.txt"], ["2019/plan.pdf", "2020/plan.pdf", "notes.txt"]),
        (["/a/x/p.pdf", "/b/x/p.pdf"], ["a/x/p.pdf", "b/x/p.pdf"]),
        (["/same/p.pdf", "/same/p.pdf"], ["p.pdf"]),
        (["p.pdf", "sub/p.pdf"], ["p.pdf", "sub/p.pdf"]),
        ([], []),
    ],
)
def test_short_names(paths, expected):
    from svmine.review.app import short_names

    assert list(short_names(paths).values()) == expected


def test_document_menu_shows_file_names_not_metadata_titles(tmp_path):
    from test_review_support import make_pdf, result_for

    from svmine.store import Store

    db = tmp_path / "names.db"
    with Store.open(db) as st:
        for folder, lines in (("2019", ["Social value in 2019."]), ("2020", ["Social value in 2020."]),
                              ("misc", ["Social value, again."])):
            (tmp_path / folder).mkdir()
            name = "notes.pdf" if folder == "misc" else "plan.pdf"
            pdf = make_pdf(tmp_path / folder / name, [lines])
            result = result_for(pdf, [lines], [(1, "Social value", "social_value", "explicit", "pattern")])
            result["metadata"]["title"] = "Report template"  # what real PDFs often carry
            st.save_result(result)
    html = Auditor(create_app(db), "alice").queue().text
    menu = re.search(r'<select name="document">(.*?)</select>', html, re.DOTALL).group(1)
    assert re.findall(r">([^<]+)</option>", menu) == ["all", "2019/plan.pdf", "2020/plan.pdf", "notes.pdf"]
    assert "Report template" not in html
    assert re.search(r'<p class="where" title="[^"]+">2019/plan.pdf · page 1', html)


def test_text_document_page_is_its_text_in_full_width(tmp_path):
    db = build_store(tmp_path, extra_documents=1)
    alice = Auditor(create_app(db), "alice")
    key = alice.current_key(document="2")
    html = alice.client.get("/doc/2/page/1", query_string={"key": key}).text
    assert '<main class="pageview textonly">' in html
    assert 'class="pageimg"' not in html and "not a PDF" not in html and ".png" not in html
    assert '<mark id="current">social value</mark> in contract 0.' in html
    assert "extra-0000.txt · section 1" in html
    pdf_page = alice.client.get("/doc/1/page/1").text
    assert '<main class="pageview">' in pdf_page and 'class="pageimg"' in pdf_page
