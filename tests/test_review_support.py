"""Builders shared by the review tests: small real PDFs and stores filled through Store.save_result.

(Named test_review_* so it sits with the review tests; the tests at the bottom check the builders.)
"""

from __future__ import annotations

import hashlib
from pathlib import Path

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"

PAGES = [
    [
        "Our plan will deliver social value through local procurement.",
        "We will work with voluntary and community sector partners in every place.",
        f"Social value {XSS_SCRIPT} and {XSS_IMG} must stay inert.",
        "Local people will help shape services across the county.",
    ],
    [
        "Commissioners will weigh wider benefits for local people when awarding contracts.",
        "The board meets monthly to review progress on these plans.",
    ],
]


def make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A real PDF whose text layer holds ``pages`` (one line per string)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    for lines in pages:
        y = 780
        pdf.setFont("Helvetica", 11)
        for line in lines:
            pdf.drawString(60, y, line)
            y -= 18
        pdf.showPage()
    pdf.save()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mention(path: Path, sha: str, text: str, page: int, needle: str, category: str, kind: str, source: str,
            probability: float | None = None, context: dict | None = None) -> dict:
    """A Mention dict locating ``needle`` inside its line (sentence) of the page text."""
    start = text.index(needle)
    s_start = text.rfind("\n", 0, start) + 1
    s_end = text.find("\n", start)
    s_end = len(text) if s_end < 0 else s_end
    label = None
    if source == "classifier":
        label = "vcse" if category == "vcse" else f"social_value_{kind}"
    return {
        "document": str(path), "sha256": sha, "page": page, "category": category, "kind": kind, "source": source,
        "text": needle, "start": start, "end": start + len(needle), "sentence": text[s_start:s_end],
        "sentence_start": s_start, "sentence_end": s_end, "pattern_id": "sv-1" if source == "pattern" else None,
        "label": label, "probability": probability, "context": context or {},
    }


def result_for(path: Path, pages: list[list[str]], mentions_spec: list[tuple], name_matches=(), footprint=None) -> dict:
    """A document result dict (the contract of Store.save_result) for a PDF made from ``pages``."""
    sha = sha256(path)
    texts = ["\n".join(lines) for lines in pages]
    mentions = [mention(path, sha, texts[p - 1], p, *spec) for p, *spec in mentions_spec]
    return {
        "path": str(path), "sha256": sha, "size": path.stat().st_size, "mtime_ns": path.stat().st_mtime_ns,
        "status": "ok", "error_code": None, "error_message": None, "format": "pdf", "page_unit": "pdf_page",
        "metadata": {"title": path.stem.replace("-", " ").title()}, "warnings": [],
        "pages": [{"number": i + 1, "text": t, "method": "text_layer", "flags": [], "engine": "pdfium", "headers": []}
                  for i, t in enumerate(texts)],
        "mentions": mentions, "facts": [],
        "attribution": {"code": footprint, "name": None, "score": 100.0, "status": "exact", "evidence": None,
                        "source": "manifest"} if footprint else None,
        "name_matches": list(name_matches), "pattern_hash": "p", "model_hash": "m", "seconds": 0.1,
    }


STANDARD_MENTIONS = [
    (1, "social value", "social_value", "explicit", "pattern"),
    (1, "voluntary and community sector", "vcse", "explicit", "pattern"),
    (1, f"Social value {XSS_SCRIPT} and {XSS_IMG} must stay inert.", "social_value", "explicit", "classifier", 0.91),
    (2, "Commissioners will weigh wider benefits for local people when awarding contracts.", "social_value",
     "implicit", "classifier", 0.55, {"hypothetical": "will weigh"}),
]

NAME_MATCH = {
    "kind": "stp", "query": "Surrey Heartlands Health & Care", "candidate_code": "E54000052",
    "candidate_name": "Surrey Heartlands Health and Care Partnership", "score": 88.0,
    "runner_up_code": "E54000053", "runner_up_name": "Sussex and East Surrey", "margin": 6.0, "status": "review",
}


def build_store(tmp_path: Path, extra_documents: int = 0) -> Path:
    """A store with one two-page PDF (four mentions, one name match for review); optionally more
    one-page documents with one mention each (for queue volume)."""
    from svmine.store import Store

    db = tmp_path / "review.db"
    pdf = make_pdf(tmp_path / "plan-a.pdf", PAGES)
    with Store.open(db) as st:
        st.save_result(result_for(pdf, PAGES, STANDARD_MENTIONS, [NAME_MATCH], footprint="E54000052"))
        for i in range(extra_documents):
            lines = [f"Document {i} commits to social value in contract {i}."]
            path = tmp_path / f"extra-{i:04d}.txt"
            path.write_text(lines[0], encoding="utf-8")
            result = result_for(path, [lines], [(1, "social value", "social_value", "explicit", "pattern")])
            result["format"] = "text"
            st.save_result(result)
    return db


def test_build_store_holds_the_planned_items(tmp_path):
    from svmine.store import Store, review

    db = build_store(tmp_path, extra_documents=2)
    conn = Store.connect(db)
    try:
        assert review.queue_count(conn, "ann", status="all") == 4 + 1 + 2
        items = review.queue(conn, "ann", status="all", limit=100)
    finally:
        conn.close()
    keys = {i["item_key"] for i in items}
    assert any(k.startswith("name:") for k in keys)
    xss = next(i for i in items if XSS_SCRIPT in i["text"])
    assert xss["sentence"] == PAGES[0][2]


def test_pdf_text_layer_matches_the_planned_page_text(tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(make_pdf(tmp_path / "x.pdf", PAGES)))
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert " ".join(text.split()) == " ".join("\n".join(PAGES[0]).split())
