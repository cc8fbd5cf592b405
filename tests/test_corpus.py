"""`svmine corpus fetch` against a local HTTP server on 127.0.0.1 (no outside network)."""

from __future__ import annotations

import csv
import hashlib
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.corpus import fetch_corpus, read_manifest

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
runner = CliRunner()


class Handler(BaseHTTPRequestHandler):
    hits: Counter = Counter()

    def do_GET(self):  # noqa: N802 (http.server's name)
        Handler.hits[self.path] += 1
        if self.path == "/plan.pdf":
            self._send(200, PDF)
        elif self.path == "/flaky.pdf":  # fails twice, then works
            self._send(503, b"busy") if Handler.hits[self.path] <= 2 else self._send(200, PDF)
        elif self.path == "/down.pdf":
            self._send(503, b"busy")
        elif self.path == "/login.pdf":
            self._send(200, b"<html><body>Please log in</body></html>", "text/html")
        else:
            self._send(404, b"not here")

    def _send(self, status, body, ctype="application/pdf"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.hits = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def write_manifest(path, base, rows):
    lines = ["code,name,url,sha256"] + [f"{c},{n},{base + u if u else ''},{s}" for c, n, u, s in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_fetch_outcomes(server, tmp_path):
    good = hashlib.sha256(PDF).hexdigest()
    manifest = write_manifest(tmp_path / "m.csv", server, [
        ("E54000007", "Greater Manchester", "/plan.pdf", good),
        ("E54000008", "Cheshire and Merseyside", "/flaky.pdf", ""),
        ("E54000009", "South Yorkshire", "/missing.pdf", ""),
        ("E54000010", "Staffordshire", "/login.pdf", ""),
        ("E54000011", "Shropshire", "/down.pdf", ""),
        ("E54000012", "Derbyshire", "", ""),
        ("E54000013", "Lincolnshire", "/plan.pdf", "0" * 64),
    ])
    dest = tmp_path / "out"
    summary = fetch_corpus(manifest, dest, retries=2, timeout=5, backoff=0)
    by_code = {o.entry.code: o for o in summary.outcomes}
    assert by_code["E54000007"].status == "fetched" and (dest / "E54000007.pdf").read_bytes() == PDF
    assert by_code["E54000008"].status == "fetched" and by_code["E54000008"].attempts == 3
    assert by_code["E54000009"].message == "HTTP 404 Not Found" and by_code["E54000009"].attempts == 1
    assert "did not return a PDF" in by_code["E54000010"].message
    assert "HTTP 503" in by_code["E54000011"].message and "after 3 attempts" in by_code["E54000011"].message
    assert Handler.hits["/down.pdf"] == 3
    assert by_code["E54000012"].status == "skipped"
    assert "checksum mismatch" in by_code["E54000013"].message
    assert not (dest / "E54000013.pdf").exists() and not list(dest.glob("*.part"))
    rows = list(csv.DictReader(open(dest / "checksums.csv", encoding="utf-8")))
    assert [(r["file"], r["footprint_code"], r["sha256"]) for r in rows] == [
        ("E54000007.pdf", "E54000007", good), ("E54000008.pdf", "E54000008", good),
    ]
    # a second run finds both files unchanged and does not download them again
    again = fetch_corpus(manifest, dest, retries=0, timeout=5, backoff=0)
    assert [o.status for o in again.outcomes][:2] == ["present", "present"]
    assert Handler.hits["/plan.pdf"] == 3  # first run twice (E54000007, E54000013), second run once (E54000013)


def test_cli_exit_codes_and_messages(server, tmp_path):
    ok = write_manifest(tmp_path / "ok.csv", server, [("E54000007", "GM", "/plan.pdf", "")])
    result = runner.invoke(app, ["corpus", "fetch", str(ok), str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    assert "1 fetched" in result.output
    bad = write_manifest(tmp_path / "bad.csv", server, [("E54000007", "GM", "/plan.pdf", ""), ("E54000009", "SY", "/gone.pdf", "")])
    result = runner.invoke(app, ["corpus", "fetch", str(bad), str(tmp_path / "b"), "--retries", "0"])
    assert result.exit_code == 1
    assert "failed  E54000009: HTTP 404 Not Found" in result.output
    assert "1 document(s) could not be fetched" in result.output


def test_unreachable_server_is_a_clear_failure(tmp_path):
    manifest = write_manifest(tmp_path / "m.csv", "http://127.0.0.1:9", [("E54000007", "GM", "/plan.pdf", "")])
    summary = fetch_corpus(manifest, tmp_path / "out", retries=1, timeout=2, backoff=0)
    assert summary.failed and "network error" in summary.failed[0].message


@pytest.mark.parametrize(
    "text, message",
    [("code,name\nE1,x\n", "no 'url' column"), ("", "no rows")],
)
def test_bad_manifest(tmp_path, text, message):
    path = tmp_path / "m.csv"
    path.write_text(text)
    result = runner.invoke(app, ["corpus", "fetch", str(path), str(tmp_path / "out")])
    assert result.exit_code == 2 and message in result.output


def test_file_names_cannot_escape_the_folder(tmp_path):
    path = tmp_path / "m.csv"
    path.write_text("code,url,file\nE1,http://x/a.pdf,../../etc/passwd\nE2,http://x/b.PDF,\n")
    assert [e.file for e in read_manifest(path)] == ["passwd", "E2.pdf"]


def test_stp2016_manifest(root):
    from svmine.tables.compare import appendix3_path, load_reference_verdicts
    from svmine.tables.footprints import load_footprints

    rows = list(csv.DictReader(open(root / "corpora" / "stp2016" / "manifest.csv", encoding="utf-8")))
    stps = {f.code: f for f in load_footprints()[0]}
    assert sorted(r["code"] for r in rows) == sorted(stps)
    appendix3 = load_reference_verdicts(appendix3_path())
    for r in rows:
        assert (r["name"], r["region"]) == (stps[r["code"]].name, stps[r["code"]].region)
        assert r["appendix3_verdict"] == appendix3[r["code"]]
        assert r["url"] == "" or r["url"].startswith("https://")
    assert len(read_manifest(root / "corpora" / "stp2016" / "manifest.csv")) == 44
