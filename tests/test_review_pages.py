"""Page images and mention rectangles (svmine.review.pages) on small real PDFs."""

from __future__ import annotations

import pytest
from test_review_support import make_pdf, sha256

from svmine.review import pages


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Social  Value\r\n Act", "social value act"),
        ("\u201cShire Promise\u201d", '"shire promise"'),
        ("so\ufffecial value", "social value"),
        ("commu-\r\nnity groups", "community groups"),
        ("well-being", "well-being"),
        ("e\ufb03cient \u2013 fast", "efficient - fast"),
    ],
)
def test_normalised(text, expected):
    flat, index = pages._normalised(text)
    assert flat == expected
    assert len(index) == len(flat) and index == sorted(index)


def test_normalised_maps_back_to_source_characters():
    text = "a \u201cb\u201d  c"
    flat, index = pages._normalised(text)
    assert text[index[flat.index("b")]] == "b" and text[index[flat.index("c")]] == "c"


@pytest.mark.parametrize(
    "page_text, needle, start, expected",
    [
        ("social value and social value", "social value", 17, 1),
        ("social value and social value", "social value", 0, 0),
        ("Social\nvalue, social value", "social value", 14, 1),
        ("", "x", 0, 0),
    ],
)
def test_occurrence(page_text, needle, start, expected):
    assert pages.occurrence(page_text, needle, start) == expected


def test_locate_long_mention_split_differently():
    flat = pages._normalised("Intro. We will buy local food from growers in every part of the county.")[0]
    needle = pages._normalised("we will buy local food from our growers in every part of the county")[0]
    assert pages._locate(flat, needle, 0) is not None  # found by its head and tail
    assert pages._locate(flat, "nowhere to be seen at all", 0) is None


def _doc(path, fmt="pdf"):
    return {"id": 1, "path": str(path), "sha256": sha256(path), "format": fmt}


@pytest.fixture
def pdf(tmp_path):
    lines = [
        "First we mention social value here.",
        "Our \u201cShire Promise\u201d is simple.",
        "Then social value again, lower down.",
    ]
    return make_pdf(tmp_path / "p.pdf", [lines, ["Second page."]])


@pytest.mark.parametrize(
    "needle, nth, line",
    [("social value", 0, 0), ("social value", 1, 2), ('Our "Shire Promise" is simple.', 0, 1)],
)
def test_highlight_boxes_find_the_right_line(pdf, needle, nth, line):
    boxes = pages.highlight_boxes(_doc(pdf), 1, needle, nth)
    assert len(boxes) == 1
    top = (842 - 780 + 18 * line) / 842  # baseline of the line, as a fraction of the A4 height
    assert boxes[0]["y"] < top < boxes[0]["y"] + boxes[0]["h"] + 0.01
    assert 0 < boxes[0]["x"] < 0.5 and 0 < boxes[0]["w"] < 0.8


@pytest.mark.parametrize("needle, page", [("not on the page", 1), ("social value", 2), ("social value", 9), ("", 1)])
def test_highlight_boxes_missing(pdf, needle, page):
    assert pages.highlight_boxes(_doc(pdf), page, needle) == []


def test_page_image_cached_once(pdf, tmp_path):
    db = tmp_path / "x.db"
    first = pages.page_image(db, _doc(pdf), 2)
    assert first.read_bytes()[:4] == b"\x89PNG" and first.parent == tmp_path / "x.db.cache" / "pages"
    stamp = first.stat().st_mtime_ns
    assert pages.page_image(db, _doc(pdf), 2).stat().st_mtime_ns == stamp
    assert not list(first.parent.glob("*.tmp"))


@pytest.mark.parametrize("problem", ["not_pdf", "changed", "moved", "no_page"])
def test_page_unavailable(pdf, tmp_path, problem):
    doc = _doc(pdf)
    page = 1
    if problem == "not_pdf":
        doc["format"] = "docx"
    elif problem == "changed":
        doc["sha256"] = "0" * 64
    elif problem == "moved":
        pdf.rename(tmp_path / "elsewhere.pdf")
    else:
        page = 5
    with pytest.raises(pages.PageUnavailable):
        pages.page_image(tmp_path / "x.db", doc, page)


def _scanned_pdf(tmp_path, lines):
    """An image-only PDF: a text PDF rendered to pixels and saved back as a picture."""
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(str(make_pdf(tmp_path / "text.pdf", [lines])))
    try:
        image = source[0].render(scale=2).to_pil().convert("RGB")
    finally:
        source.close()
    path = tmp_path / "scanned.pdf"
    image.save(path, format="PDF", resolution=144)
    return path


@pytest.mark.skipif(not __import__("shutil").which("tesseract"), reason="tesseract is not installed")
def test_scanned_page_is_highlighted_from_ocr_words(tmp_path):
    lines = ["Appendix C: scanned minutes", "The board agreed that social value matters.", "Charities were thanked."]
    doc = _doc(_scanned_pdf(tmp_path, lines))
    db = tmp_path / "s.db"
    boxes = pages.highlight_boxes(doc, 1, "social value", 0, db_path=db)
    assert len(boxes) == 1
    top = (842 - 780 + 18) / 842  # the second line's baseline
    assert boxes[0]["y"] < top < boxes[0]["y"] + boxes[0]["h"] + 0.01
    assert (tmp_path / "s.db.cache" / "pages" / f"{doc['sha256']}-1.words.json").is_file()
    assert pages.highlight_boxes(doc, 1, "not there at all", 0, db_path=db) == []
    assert pages.highlight_boxes(doc, 1, "social value") == []  # no cache folder given: no OCR
