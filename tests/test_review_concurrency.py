"""8 auditors x 200 decisions posted at once through the real HTTP server: none lost, none doubled."""

from __future__ import annotations

import http.client
import logging
import re
import secrets
import threading
from urllib.parse import urlencode

import pytest
from test_review_support import build_store

from svmine.review.server import make_server
from svmine.store import Store, review

AUDITORS = 8
DECISIONS = 200


@pytest.fixture
def server(tmp_path):
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # 1,600 request lines are noise here
    db = build_store(tmp_path, extra_documents=DECISIONS)
    srv = make_server(db, "127.0.0.1", 0, auditors_per_item=AUDITORS)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield db, srv.server_port
    srv.shutdown()
    srv.server_close()


class Client:
    """One auditor's cookie jar over http.client."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8")
            cookie = response.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return response.status, text
        finally:
            conn.close()

    def login(self, name: str) -> str:
        _, page = self.request("GET", "/login")
        status, _ = self.request("POST", "/login", {"name": name, "csrf": _csrf(page)})
        assert status == 302
        _, page = self.request("GET", "/")
        return _csrf(page)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_concurrent_decisions_are_all_kept(server):
    db, port = server
    conn = Store.connect(db)
    keys = [i["item_key"] for i in review.queue(conn, "x", status="all", limit=DECISIONS)]
    conn.close()
    assert len(keys) == DECISIONS
    clients = [Client(port) for _ in range(AUDITORS)]
    tokens = [c.login(f"auditor{n}") for n, c in enumerate(clients)]
    start = threading.Barrier(AUDITORS)
    statuses: list[list[int]] = [[] for _ in range(AUDITORS)]

    def work(n: int) -> None:
        start.wait()
        for i, key in enumerate(keys):
            action = ("accept", "reject", "relabel:vcse")[(n + i) % 3]
            form = {"csrf": tokens[n], "item_key": key, "action": action, "nonce": secrets.token_hex(16)}
            statuses[n].append(clients[n].request("POST", "/decide", form)[0])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(AUDITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(s == [303] * DECISIONS for s in statuses)

    conn = Store.connect(db)
    try:
        total = conn.conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]
        distinct = conn.conn.execute("SELECT COUNT(DISTINCT item_key || '|' || auditor) FROM annotations").fetchone()[0]
        per_auditor = dict(conn.conn.execute("SELECT auditor, COUNT(*) FROM annotations GROUP BY auditor").fetchall())
        left = review.queue_count(conn, "newcomer", auditors_per_item=AUDITORS)
    finally:
        conn.close()
    assert total == AUDITORS * DECISIONS == 1600  # 0 lost
    assert distinct == total  # 0 duplicated
    assert per_auditor == {f"auditor{n}": DECISIONS for n in range(AUDITORS)}
    assert left == 5  # the 200 decided items reached their 8 auditors; the first document's 5 were not posted
