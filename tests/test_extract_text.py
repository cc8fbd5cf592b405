"""Formats without pages, read as text: deep HTML, short text encodings, hard-wrapped text and
transcripts (svmine.extract.structured and normalize)."""

from __future__ import annotations

import pytest

from svmine.extract import extract_document
from svmine.extract.structured import decode_text, html_pages
from svmine.model import TRUNCATED_WARNING

LAST = "In every contract we will ask suppliers for social value."


# ---------------------------------------------------------------- deep and unclosed HTML

@pytest.mark.parametrize("depth", [300, 1000, 5000])
@pytest.mark.parametrize("opening", ["<font size=2>", "<div>", "<font><div>", "<table><tr><td>", "<blockquote><span>"])
def test_unclosed_nesting_keeps_the_text_after_it(tmp_path, depth, opening):
    """libxml2 gives up at 256 (or 2,048) levels and keeps only what it read so far."""
    path = tmp_path / "legacy.html"
    path.write_text(f"<html><head><title>Plan</title></head><body>{(opening + 'Word ') * depth}<p>{LAST}", "ascii")
    doc = extract_document(path)
    assert LAST in doc.pages[0].text
    assert doc.pages[0].text.count("Word") == depth
    assert not doc.truncated and not doc.warnings


def test_a_parse_that_stops_early_is_flagged_truncated(tmp_path, monkeypatch):
    """When both parsers fail the part read is kept, and the document says it is partial."""
    import html5lib

    def broken(*args, **kwargs):
        raise RuntimeError("no luck")

    monkeypatch.setattr(html5lib, "HTMLParser", broken)
    path = tmp_path / "legacy.html"
    path.write_text(f"<html><body><p>First words.</p>{'<div>' * 3000}<p>{LAST}", "ascii")
    doc = extract_document(path)
    assert "First words." in doc.pages[0].text and LAST not in doc.pages[0].text
    assert doc.truncated is True
    assert doc.warnings and doc.warnings[0].startswith(f"{TRUNCATED_WARNING}: the HTML parser stopped at line 1")
    assert "Excessive depth" in doc.warnings[0]


def test_truncated_survives_the_time_limited_worker(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text(f"<html><body><p>{LAST}</p></body></html>", "ascii")
    assert extract_document(path, timeout=60).truncated is False
    from svmine.model import Document

    assert Document.from_dict({**extract_document(path).to_dict(), "truncated": True}).truncated is True


def test_ordinary_html_is_unchanged_by_the_fallback():
    raw = b"<html><body><div><p>One <b>bold</b> line.</p><table><tr><td>a</td><td>b</td></tr></table></div></body></html>"
    pages, _, warnings = html_pages(raw, "x")
    assert pages[0].text == "One bold line.\n\na | b" and warnings == []


# ---------------------------------------------------------------- text encodings

SHORT_TEXTS = ["£5", "It’s", "“Yes”", "café", "2017–2021", "£30 for the café – it’s “ours”.", "Größe", "é"]
ENCODINGS = ["cp1252", "latin-1", "utf-8", "utf-8-sig", "utf-16", "utf-32"]


def _encodable(text: str, encoding: str) -> bool:
    try:
        return bool(text.encode(encoding))
    except UnicodeEncodeError:  # latin-1 has no curly quotes or dashes
        return False


@pytest.mark.parametrize("text, encoding", [(t, e) for t in SHORT_TEXTS for e in ENCODINGS if _encodable(t, e)])
def test_short_texts_decode_in_every_encoding(text, encoding):
    assert decode_text(text.encode(encoding))[0] == text


@pytest.mark.parametrize(
    "raw, expected, encoding",
    [
        ("£5".encode("cp1252"), "£5", "cp1252"),  # charset-normalizer: UTF-16
        ("café".encode("cp1252"), "café", "cp1252"),  # charset-normalizer: UTF-16
        ("é".encode("latin-1"), "é", "cp1252"),  # charset-normalizer: EBCDIC
        ("café".encode("utf-8"), "café", "utf-8"),
        ("café".encode("utf-8") + b" \xff", "café \ufffd", "utf-8"),  # damaged UTF-8 stays UTF-8
        ("Это короткий текст на русском языке.".encode("cp1251"), "Это короткий текст на русском языке.", "cp1251"),
        ("Ένα μικρό κείμενο στα ελληνικά εδώ.".encode("cp1253"), "Ένα μικρό κείμενο στα ελληνικά εδώ.", "cp1253"),
    ],
)
def test_encoding_names(raw, expected, encoding):
    assert decode_text(raw) == (expected, encoding)


def test_short_cp1252_file_through_extract(tmp_path):
    path = tmp_path / "note.txt"
    path.write_bytes("Budget £5k – the café’s “social value” pilot.".encode("cp1252"))
    doc = extract_document(path)
    assert doc.pages[0].text == "Budget £5k – the café's \"social value\" pilot."
    assert doc.metadata["encoding"] == "cp1252"
