"""Review app under hostile or unlucky input: relative --db, bad values, Host forms, nonces and stale
pages, lead tokens, login throttling, huge pages (issue 10, item 7)."""

from __future__ import annotations

import http.client
import json
import logging
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from test_review import Auditor, _csrf, _field, _rows
from test_review_support import build_store, result_for

from svmine.review import create_app, pages, security
from svmine.review.app import lead_tokens
from svmine.review.server import make_server, server_url
from svmine.store import Store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def db(tmp_path):
    return build_store(tmp_path)


# -- 1. page images with a relative --db --------------------------------------------------------------


def test_page_image_with_a_relative_db_path(tmp_path, monkeypatch):
    folder = tmp_path / "stores"
    folder.mkdir()
    build_store(folder)
    monkeypatch.chdir(tmp_path)
    app = create_app("stores/review.db")
    alice = Auditor(app, "alice")
    monkeypatch.chdir(ROOT)  # the working folder may change after start: the cache path is absolute
    response = alice.client.get("/doc/1/page/1.png")
    assert response.status_code == 200 and response.data[:4] == b"\x89PNG"
    assert len(list((folder / "review.db.cache" / "pages").glob("*-1.png"))) == 1


@pytest.mark.parametrize("given", ["x.db", "./x.db", "sub/../x.db"])
def test_cache_dir_is_absolute_beside_the_store(tmp_path, monkeypatch, given):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    found = pages.cache_dir(given)
    assert found.is_absolute() and found == tmp_path / "x.db.cache" / "pages"


# -- 2. bad values are 404/400, never 500 -------------------------------------------------------------

BAD_NUMBERS = {
    "huge": "99999999999999999999999",
    "int64+1": "9223372036854775808",
    "superscript": "\u00b2",
    "arabic-indic": "\u0661",
    "negative": "-1",
    "word": "abc",
    "float": "1.5",
    "spaced": " 1",
    "nul": "1\x00",
}
KEY = "mention:{sha}:{page}:{start}:{end}:social_value"


def _cases():
    """(route, where the bad value goes, expected status) for every route and parameter."""
    table = []
    for name, v in BAD_NUMBERS.items():
        quoted = v.replace("\x00", "%00").replace(" ", "%20")
        table += [
            (name, "GET", f"/doc/{quoted}/page/1", None, 404),
            (name, "GET", f"/doc/1/page/{quoted}", None, 404),
            (name, "GET", f"/doc/{quoted}/page/1.png", None, 404),
            (name, "GET", f"/doc/1/page/{quoted}.png", None, 404),
            (name, "GET", "/", {"document": v}, 200),  # an unusable filter is dropped
            (name, "GET", "/", {"key": KEY.format(sha="x", page=v, start=0, end=5)}, 200),
            (name, "GET", "/", {"key": KEY.format(sha="x", page=1, start=v, end=5)}, 200),
            (name, "GET", "/doc/1/page/1", {"key": KEY.format(sha="x", page=v, start=0, end=5)}, 200),
            (name, "GET", "/doc/1/page/1", {"key": KEY.format(sha="x", page=1, start=0, end=v)}, 200),
            (name, "POST", "/decide", {"item_key": KEY.format(sha="x", page=v, start=0, end=5), "action": "accept"}, 404),
            (name, "POST", "/decide", {"item_key": KEY.format(sha="x", page=1, start=v, end=5), "action": "accept"}, 404),
            (name, "POST", "/decide", {"item_key": "@first", "action": "accept", "seen": v}, 400),
            (name, "POST", "/decide", {"item_key": "@first", "action": "accept", "document": v}, 303),
            (name, "POST", "/adjudicate", {"item_key": KEY.format(sha="x", page=v, start=0, end=5), "label": "vcse"}, 404),
            (name, "POST", "/adjudicate", {"item_key": "@first", "label": "vcse", "seen": v}, 400),
            (name, "POST", "/add", {"doc_id": v}, 404),
            (name, "POST", "/add", {"page": v}, 404),
            (name, "POST", "/add", {"start": v}, 400),
            (name, "POST", "/add", {"end": v}, 400),
            (name, "POST", "/place", {"doc_id": v, "action": "nowhere"}, 404),
            (name, "POST", "/place", {"action": "pick", "code": v}, 400),
            (name, "POST", "/place", {"action": "nowhere", "seen": v}, 400),
            (name, "POST", "/undo", {"nonce": v, "document": v}, 303),
            (name, "GET", "/placements", {"all": v}, 200),
            (name, "GET", "/assessments", {"review": v}, 200),
            (name, "POST", "/override", {"org_code": v, "scale": "approach", "rating": "active"}, 404),
            (name, "GET", "/doc/1/page/1", {"org": v, "start": v, "end": "4"}, 200),
            (name, "GET", "/doc/1/page/1", {"org": "00C", "start": "0", "end": v}, 200),
            (name, "POST", "/login", {"name": v}, 400 if name in ("negative", "nul") else 302),
            (name, "POST", "/login", {"name": "alice", "token": v}, 302),  # no shared token: ignored
        ]
    table += [
        ("unknown document", "GET", "/doc/999/page/1", None, 404),
        ("unknown document", "GET", "/doc/999/page/1.png", None, 404),
        ("unknown page", "GET", "/doc/1/page/0", None, 404),
        ("unknown page", "GET", "/doc/1/page/3.png", None, 404),
        ("unknown document", "POST", "/add", {"doc_id": "999"}, 404),
        ("unknown document", "POST", "/place", {"doc_id": "999", "action": "nowhere"}, 404),
        ("unknown action", "POST", "/place", {"action": "explode"}, 400),
        ("unknown footprint", "POST", "/place", {"action": "pick", "code": "E54999999"}, 400),
        ("empty key", "POST", "/decide", {"item_key": "", "action": "accept"}, 404),
        ("bare key", "POST", "/decide", {"item_key": "mention", "action": "accept"}, 404),
        ("name key", "POST", "/decide", {"item_key": "name:" + "9" * 40, "action": "accept"}, 404),
        ("max int64", "GET", "/doc/9223372036854775807/page/1", None, 404),
    ]
    return table


@pytest.mark.parametrize("value, method, url, params, expected", _cases(),
                         ids=lambda x: x if isinstance(x, str) and len(x) < 30 else None)
def test_bad_values_are_404_or_400_never_500(db, value, method, url, params, expected):
    app = create_app(db, leads=["lead"])
    lead = Auditor(app, "lead", lead_tokens(app)["lead"])
    first = lead.current_key()
    if method == "GET":
        response = lead.client.get(url, query_string=params)
    else:
        base = {"/add": {"doc_id": "1", "page": "1", "start": "0", "end": "5", "text": "Our p", "label": "vcse"},
                "/place": {"doc_id": "1"}}.get(url, {})
        form = {**base, **params, "csrf": lead.csrf}
        if form.get("item_key") == "@first":
            form["item_key"] = first
        response = lead.client.post(url, data=form)
    assert response.status_code == expected, response.text[:300]


def test_no_500_on_any_bad_value_through_the_real_server(tmp_path):
    """A few of the table's values through werkzeug's own server: the URL parser there differs."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    db = build_store(tmp_path)
    srv = make_server(db, "127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        for path in ["/doc/99999999999999999999999/page/1", "/doc/1/page/%C2%B2", "/doc/1/page/-1.png",
                     "/?document=%C2%B2", "/?key=mention:x:99999999999999999999999:0:1:vcse"]:
            conn = http.client.HTTPConnection("127.0.0.1", srv.server_port, timeout=30)
            conn.request("GET", path)
            assert conn.getresponse().status in (302, 404), path  # 302: to the login page
            conn.close()
    finally:
        srv.shutdown()
        srv.server_close()


# -- 3. the server accepts its own URL on every loopback form ----------------------------------------------


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_server_answers_its_own_url(tmp_path, host):
    if host.strip("[]") == "::1" and not _ipv6_loopback():
        pytest.skip("no IPv6 loopback on this machine")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    db = build_store(tmp_path)
    srv = make_server(db, host, 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = server_url(host, srv.server_port)
        match = re.fullmatch(r"http://(\[[^\]]+\]|[^:/]+):(\d+)/", url)
        connect_to = match.group(1).strip("[]")
        conn = http.client.HTTPConnection(connect_to, int(match.group(2)), timeout=30)
        conn.request("GET", "/login", headers={"Host": url[len("http://"):-1]})
        response = conn.getresponse()
        assert response.status == 200, response.read()[:200]
        conn.close()
    finally:
        srv.shutdown()
        srv.server_close()


@pytest.mark.parametrize(
    "host, port, url",
    [("127.0.0.1", 8765, "http://127.0.0.1:8765/"), ("::1", 80, "http://[::1]:80/"),
     ("[::1]", 80, "http://[::1]:80/"), ("localhost", 1, "http://localhost:1/")],
)
def test_server_url(host, port, url):
    assert server_url(host, port) == url


# -- 4. nonces per auditor, stale decisions are 409 -----------------------------------------------------


def _seen_and_key(auditor: Auditor) -> tuple[str, str]:
    html = auditor.queue().text
    return _field(html, "item_key"), _field(html, "seen")


def test_same_nonce_from_two_auditors_keeps_both(db):
    app = create_app(db, auditors_per_item=2)
    alice, bob = Auditor(app, "alice"), Auditor(app, "bob")
    key = alice.current_key()
    assert alice.decide(key, "accept", nonce="shared-1").status_code == 303
    assert bob.decide(key, "reject", nonce="shared-1").status_code == 303
    assert sorted((r["auditor"], r["label"]) for r in _rows(db)) == [("alice", "social_value_explicit"),
                                                                      ("bob", "other")]


def test_reused_nonce_for_another_decision_is_a_conflict(db):
    alice = Auditor(create_app(db), "alice")
    first = alice.current_key()
    assert alice.decide(first, "accept", nonce="n-1").status_code == 303
    second = alice.current_key()
    response = alice.decide(second, "reject", nonce="n-1")
    assert response.status_code == 409 and "already submitted with another decision" in response.text
    assert alice.decide(first, "reject", nonce="n-1").status_code == 409  # same item, other label
    assert alice.decide(first, "accept", nonce="n-1").status_code == 303  # the very same submit: a no-op
    assert len(_rows(db)) == 1


@pytest.mark.parametrize(
    "quota, second, status",
    [(1, "reject", 409), (1, "accept", 409), (1, "skip", 303), (2, "reject", 303)],
)
def test_stale_page_is_a_conflict_when_the_item_was_settled_meanwhile(db, quota, second, status):
    app = create_app(db, auditors_per_item=quota)
    alice, bob = Auditor(app, "alice"), Auditor(app, "bob")
    key_a, seen_a = _seen_and_key(alice)
    key_b, seen_b = _seen_and_key(bob)
    assert key_a == key_b and seen_a == seen_b == "0"
    assert alice.decide(key_a, "accept", seen=seen_a).status_code == 303
    response = bob.decide(key_b, second, seen=seen_b)
    assert response.status_code == status
    if status == 409:
        assert "alice accepted this item as social_value_explicit after your page was loaded" in response.text
        assert [r["auditor"] for r in _rows(db)] == ["alice"]
        assert _seen_and_key(bob)[0] != key_b  # reloaded: the item left bob's queue
        html = bob.queue(status="all").text  # from "all" it can be re-decided on purpose
        assert bob.decide(_field(html, "item_key"), "reject", seen=_field(html, "seen")).status_code == 303


def test_stale_adjudication_is_a_conflict(db):
    app = create_app(db, auditors_per_item=2, leads=["ann", "ben"])
    alice, bob = Auditor(app, "alice"), Auditor(app, "bob")
    tokens = lead_tokens(app)
    ann, ben = Auditor(app, "ann", tokens["ann"]), Auditor(app, "ben", tokens["ben"])
    key = alice.current_key()
    alice.decide(key, "accept")
    bob.decide(key, "reject")
    page_ann, page_ben = ann.client.get("/conflicts").text, ben.client.get("/conflicts").text
    form = {"item_key": key, "label": "vcse"}
    assert ann.client.post("/adjudicate", data={**form, "csrf": ann.csrf, "seen": _field(page_ann, "seen")}).status_code == 303
    late = ben.client.post("/adjudicate", data={**form, "label": "other", "csrf": ben.csrf,
                                                "seen": _field(page_ben, "seen")})
    assert late.status_code == 409 and "ann adjudicated this item as vcse" in late.text


# -- 5. lead auditors log in with their own token --------------------------------------------------------


@pytest.mark.parametrize(
    "shared, name, given, status, lead",
    [
        (None, "lead", None, 400, False),  # the bypass: typing the lead's name
        (None, "LEAD", None, 400, False),
        (None, "lead", "wrong", 400, False),
        (None, "lead", "@lead", 302, True),
        (None, "Lead", "@lead", 302, True),  # same person, any case; stored under the lead's spelling
        (None, "alice", None, 302, False),
        (None, "alice", "@lead", 302, False),  # a lead token for another name grants nothing
        ("s3cret", "lead", "s3cret", 400, False),  # the shared token does not make a lead
        ("s3cret", "lead", "@lead", 302, True),
        ("s3cret", "alice", "s3cret", 302, False),
        ("s3cret", "alice", "@lead", 400, False),
    ],
)
def test_lead_needs_their_own_token(db, shared, name, given, status, lead):
    app = create_app(db, token=shared, leads=["lead"])
    token = lead_tokens(app)["lead"] if given == "@lead" else given
    auditor = Auditor(app, name, token)
    assert auditor.login.status_code == status
    if status == 302:
        assert auditor.client.get("/conflicts").status_code == (200 if lead else 403)
        expected = "lead" if lead else name
        assert f"<strong>{expected}</strong>" in auditor.client.get("/").text


def test_a_session_opened_before_the_name_became_a_lead_gets_no_lead_rights(db):
    before = Auditor(create_app(db), "bob")  # no leads: anyone may adjudicate
    assert before.client.get("/conflicts").status_code == 200
    app = create_app(db, leads=["bob"])  # restarted with bob as lead; same store, same cookie secret
    client = app.test_client()
    client.set_cookie("session", before.client.get_cookie("session").value)
    assert "<strong>bob</strong>" in client.get("/").text  # still logged in as bob...
    assert client.get("/conflicts").status_code == 403  # ...but not as the lead
    lead = Auditor(app, "bob", lead_tokens(app)["bob"])
    assert lead.client.get("/conflicts").status_code == 200


def test_lead_tokens_are_per_name_and_per_store_and_survive_restarts(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    one, two = build_store(tmp_path / "one"), build_store(tmp_path / "two")
    tokens = lead_tokens(create_app(one, leads=["ann", "ben"]))
    assert tokens == lead_tokens(create_app(one, leads=["ann", "ben"]))
    assert tokens["ann"] != tokens["ben"] and len(tokens["ann"]) == 22
    assert lead_tokens(create_app(two, leads=["ann"]))["ann"] != tokens["ann"]


def test_review_command_prints_lead_tokens(db):
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "svmine") if (ROOT / ".venv" / "bin" / "svmine").exists() else "svmine",
         "review", "--db", str(db), "--port", "0", "--lead", "ann"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        first, second = process.stdout.readline(), process.stdout.readline()
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert re.match(r"svmine review: http://127\.0\.0\.1:\d+/", first), first
    expected = lead_tokens(create_app(db, leads=["ann"]))["ann"]
    assert second.strip() == f"lead auditor ann: log in with token {expected}"


# -- 6. login throttling -------------------------------------------------------------------------------


def _try_login(client, name, token, address="10.1.1.1"):
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).text
    return client.post("/login", data={"name": name, "token": token, "csrf": _csrf(page)},
                       environ_base={"REMOTE_ADDR": address})


def test_failed_logins_per_name_are_limited(db):
    app = create_app(db, token="right", login_limits={"per_name": 3, "per_address": 100, "window": 60})
    client = app.test_client()
    assert [_try_login(client, "alice", "wrong", f"10.0.0.{i}").status_code for i in range(3)] == [400] * 3
    blocked = _try_login(client, "alice", "right", "10.0.0.9")  # even the right token, from anywhere
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "too many failed logins" in blocked.text
    assert _try_login(client, "bob", "right").status_code == 302  # another name is not blocked


def test_failed_logins_per_address_are_limited(db):
    app = create_app(db, token="right", login_limits={"per_name": 100, "per_address": 4, "window": 60})
    client = app.test_client()
    assert [_try_login(client, f"user{i}", "wrong").status_code for i in range(4)] == [400] * 4
    assert _try_login(client, "someone", "right").status_code == 429
    assert _try_login(client, "someone", "right", "10.9.9.9").status_code == 302


def test_lead_token_guessing_is_limited_too(db):
    app = create_app(db, leads=["lead"], login_limits={"per_name": 2, "per_address": 100, "window": 60})
    client = app.test_client()
    assert [_try_login(client, "lead", "guess").status_code for _ in range(2)] == [400, 400]
    assert _try_login(client, "lead", lead_tokens(app)["lead"]).status_code == 429


@pytest.mark.parametrize(
    "failures_at, now, limit, retry",
    [([0, 1, 2], 3, 3, 58), ([0, 1, 2], 60.5, 3, 0), ([0, 1], 3, 3, 0), ([0, 30, 59], 59.5, 3, 1),
     ([0, 30, 59], 61, 3, 0)],
)
def test_throttle_window_slides(failures_at, now, limit, retry):
    clock = [0.0]
    throttle = security.LoginThrottle(limit, 60, clock=lambda: clock[0])
    for t in failures_at:
        clock[0] = t
        throttle.failed("k")
    clock[0] = now
    assert throttle.retry_after("k") == retry


def test_throttle_memory_is_bounded():
    throttle = security.LoginThrottle(3, 60, max_keys=100)
    for i in range(1000):
        throttle.failed(f"name{i}")
    assert len(throttle._failures) == 100


# -- 7. page rendering is capped in pixels -----------------------------------------------------------------


@pytest.mark.parametrize(
    "width, height, scale",
    [(595, 842, 2.0), (612, 792, 2.0), (14400, 14400, None), (14400, 200, None), (200, 14400, None), (1, 1, 2.0)],
)
def test_render_scale_keeps_the_image_within_the_cap(width, height, scale):
    found = pages.render_scale(width, height)
    if scale is not None:
        assert found == scale
    assert (width * found + 1) * (height * found + 1) <= pages.MAX_PIXELS
    assert found > 0.5 * (pages.MAX_PIXELS / (width * height)) ** 0.5 or found == 2.0  # not needlessly small


_HUGE_RENDER = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))  # 1.5 GB: a 2x render needs 2.5 GB
from svmine.review import pages
doc = json.loads(sys.argv[1])
path = pages.page_image(sys.argv[2], doc, 1)
from PIL import Image
with Image.open(path) as image:
    size = image.size
# VmHWM is this process's own peak: ru_maxrss would carry over the parent's peak through fork and
# exec, so a large pytest process would fail this test for memory it used itself.
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"size": size, "maxrss_kb": peak}))
"""


def test_huge_page_renders_within_the_pixel_cap_and_bounded_memory(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "huge.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(14400, 14400))  # 200 x 200 inches, PDF's largest page
    pdf.setFont("Helvetica", 400)
    pdf.drawString(400, 13000, "A very large page about social value.")
    pdf.showPage()
    pdf.save()
    doc = {"id": 1, "path": str(path), "sha256": store_sha(path), "format": "pdf"}
    done = subprocess.run([sys.executable, "-c", _HUGE_RENDER, json.dumps(doc), str(tmp_path / "h.db")],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    width, height = result["size"]
    assert width * height <= pages.MAX_PIXELS and width > 2000
    assert result["maxrss_kb"] < 600 * 1024  # peak resident memory well under 600 MB (was 5.7 GB)


def store_sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_huge_page_through_the_app(tmp_path):
    import io

    from PIL import Image
    from reportlab.pdfgen import canvas

    path = tmp_path / "poster.pdf"
    pdf = canvas.Canvas(str(path), pagesize=(14400, 3000))
    pdf.setFont("Helvetica", 200)
    pdf.drawString(300, 1500, "Poster: social value in every contract.")
    pdf.showPage()
    pdf.save()
    db = tmp_path / "review.db"
    with Store.open(db) as st:
        lines = ["Poster: social value in every contract."]
        st.save_result(result_for(path, [lines], [(1, "social value", "social_value", "explicit", "pattern")]))
    alice = Auditor(create_app(db), "alice")
    response = alice.client.get("/doc/1/page/1.png")
    assert response.status_code == 200
    with Image.open(io.BytesIO(response.data)) as image:
        assert image.size[0] * image.size[1] <= pages.MAX_PIXELS and image.size[0] > image.size[1] * 4
