"""Ruling lines, rectangles and tables read from PDFium's page objects (svmine.extract.pdfium_tables).

Each page is generated with reportlab; pdfplumber (the reference engine) reads the same page,
so every expectation here is checked against what pdfplumber itself sees.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from svmine.extract import extract_document
from svmine.extract.pdfium_tables import CURVE_HEAVY, DroppedSpaces, read_graphics, table_cells

reportlab = pytest.importorskip("reportlab")


def _pdf(path: Path, draw) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("Helvetica", 11)
    c.drawString(72, 790, "A short opening line about the services we plan to commission.")
    draw(c)
    c.showPage()
    c.save()
    return path


# ---------------------------------------------------------------- shapes


def ruled_table(c) -> None:
    """A 3 x 3 table of stroked cells, one word or two in each."""
    texts = [["Service", "Budget", "Lead"], ["Carers hub", "120k", "Council"], ["Warm homes", "80k", "Charity"]]
    for r, row in enumerate(texts):
        for k, text in enumerate(row):
            x, y = 72 + 150 * k, 700 - 24 * r
            c.rect(x, y, 150, 24)
            c.drawString(x + 4, y + 8, text)


def decorative_box(c) -> None:
    c.rect(60, 600, 470, 120)  # a stroked frame around a paragraph
    c.drawString(72, 690, "Our promise: every contract will carry a social value weighting.")
    c.drawString(72, 670, "We will report on it each year to the board in public.")


def coloured_panel(c) -> None:
    c.setFillColorRGB(0.85, 0.92, 1.0)
    c.rect(60, 600, 470, 120, stroke=0, fill=1)
    c.setFillColorRGB(0, 0, 0)
    c.drawString(72, 690, "Case study: a community group runs the lunch club twice a week.")


def underline(c) -> None:
    c.drawString(72, 700, "Key commitment for the coming year")
    c.line(72, 697, 260, 697)


def rounded_panel(c) -> None:
    c.roundRect(60, 600, 470, 120, 12)  # curves: pdfplumber never searches a page of curves only
    c.drawString(72, 690, "Inside a rounded box sits a note for readers.")


def two_panels(c) -> None:
    c.rect(60, 600, 200, 120)  # side by side, not touching: two lone cells
    c.rect(300, 600, 200, 120)
    c.drawString(72, 690, "Left panel text")
    c.drawString(312, 690, "Right panel text")


def rule_in_form(c) -> None:
    """Rules drawn inside a Form XObject (reportlab's beginForm), placed with a shift."""
    c.beginForm("grid")
    for k in range(3):
        c.line(0, 24 * k, 300, 24 * k)
        c.line(150 * k, 0, 150 * k, 48)
    c.endForm()
    c.saveState()
    c.translate(72, 600)
    c.doForm("grid")
    c.restoreState()
    c.drawString(76, 630, "North")
    c.drawString(226, 630, "South")
    c.drawString(76, 606, "East")
    c.drawString(226, 606, "West")


SHAPES = {
    "ruled_table": ruled_table,
    "decorative_box": decorative_box,
    "coloured_panel": coloured_panel,
    "underline": underline,
    "rounded_panel": rounded_panel,
    "two_panels": two_panels,
    "rule_in_form": rule_in_form,
}


def _plumber_edges(path: Path) -> tuple[list, int, int]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        page = pdf.pages[0]
        edges = sorted(
            (e["orientation"], round(e["x0"], 2), round(e["top"], 2), round(e["x1"], 2), round(e["bottom"], 2))
            for e in page.edges
            if e["orientation"] in ("h", "v") and max(e["width"], e["height"]) >= 1
        )
        return edges, len(page.lines), len(page.rects)


def _pdfium_graphics(path: Path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[0]
        graphics = read_graphics(page)
        page.close()
        return graphics
    finally:
        pdf.close()


@pytest.mark.parametrize("shape", list(SHAPES))
def test_pdfium_edges_are_pdfplumbers_edges(tmp_path, shape):
    path = _pdf(tmp_path / f"{shape}.pdf", SHAPES[shape])
    graphics = _pdfium_graphics(path)
    mine = sorted(
        (e["orientation"], round(e["x0"], 2), round(e["top"], 2), round(e["x1"], 2), round(e["bottom"], 2))
        for e in graphics.edges
        if max(e["width"], e["height"]) >= 1
    )
    edges, lines, rects = _plumber_edges(path)
    assert mine == edges
    assert (graphics.lines, graphics.rects) == (lines, rects)


@pytest.mark.parametrize(
    ("shape", "lines", "rects", "h_edges", "v_edges"),
    [
        ("ruled_table", 0, 9, 18, 18),
        ("decorative_box", 0, 1, 2, 2),
        ("coloured_panel", 0, 1, 2, 2),
        ("underline", 1, 0, 1, 0),
        ("rule_in_form", 6, 0, 3, 3),
    ],
)
def test_pdfium_reads_lines_and_rectangles(tmp_path, shape, lines, rects, h_edges, v_edges):
    graphics = _pdfium_graphics(_pdf(tmp_path / f"{shape}.pdf", SHAPES[shape]))
    assert (graphics.lines, graphics.rects) == (lines, rects)
    assert sum(e["orientation"] == "h" for e in graphics.edges) == h_edges
    assert sum(e["orientation"] == "v" for e in graphics.edges) == v_edges


# ---------------------------------------------------------------- tables or not


@pytest.mark.parametrize(
    ("shape", "cells"),
    [
        ("ruled_table", 9),
        ("rule_in_form", 4),
        ("decorative_box", 0),  # one lone cell is not a table
        ("coloured_panel", 0),
        ("underline", 0),  # no vertical edge, no cell
        ("rounded_panel", 0),
        ("two_panels", 0),
    ],
)
def test_table_or_not(tmp_path, shape, cells):
    path = _pdf(tmp_path / f"{shape}.pdf", SHAPES[shape])
    assert sum(len(t) for t in table_cells(_pdfium_graphics(path))) == cells
    auto = extract_document(path, engine="auto", ocr=False).pages[0]
    reference = extract_document(path, engine="pdfplumber", ocr=False).pages[0]
    assert auto.engine == "pdfium" and "engine_fallback" not in auto.flags
    assert ("has_tables" in auto.flags) == (cells > 0) == ("has_tables" in reference.flags)
    assert auto.text == reference.text


def test_ruled_table_rows_in_the_text(tmp_path):
    text = extract_document(_pdf(tmp_path / "t.pdf", ruled_table), engine="auto", ocr=False).pages[0].text
    assert "Service | Budget | Lead\nCarers hub | 120k | Council\nWarm homes | 80k | Charity" in text


# ---------------------------------------------------------------- spaces PDFium drops


def kerned_space(c) -> None:
    """Word's habit: each word and each space a text object of its own, the next word
    kerned back over the space (PDFium skips the zero-width space object)."""
    c.drawString(72, 600, "x")  # registers Helvetica as /F1
    c._code.append("BT /F1 12 Tf 1 0 0 1 100 500 Tm (to) Tj ET BT /F1 12 Tf 1 0 0 1 110 500 Tm ( ) Tj ET "
                   "BT /F1 12 Tf 1 0 0 1 111 500 Tm (them:) Tj ET")


def test_a_space_pdfium_drops_still_splits_the_words(tmp_path):
    import pypdfium2 as pdfium

    path = _pdf(tmp_path / "kern.pdf", kerned_space)
    pdf = pdfium.PdfDocument(str(path))
    try:
        assert "tothem:" in pdf[0].get_textpage().get_text_range()  # the PDFium behaviour worked around
    finally:
        pdf.close()
    graphics = _pdfium_graphics(path)
    assert DroppedSpaces(graphics.spaces).between(495, 512, 100, 120) == [pytest.approx(110)]
    auto = extract_document(path, engine="auto", ocr=False).pages[0]
    assert "to them:" in auto.text
    assert auto.text == extract_document(path, engine="pdfplumber", ocr=False).pages[0].text


# ---------------------------------------------------------------- when auto falls back


def _raw_pdf(path: Path, content: bytes, to_unicode: bytes) -> Path:
    """A one-page PDF written by hand: Helvetica with our own ToUnicode map."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Length %d >>\nstream\n" % len(to_unicode) + to_unicode + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


PRIVATE_USE_MAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def
1 begincodespacerange <00> <FF> endcodespacerange
2 beginbfrange <20> <7E> <0020> <80> <8F> <E000> endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def private_use_page(path: Path) -> Path:
    """Text whose last characters map to the Private Use Area (a symbol font without a
    usable map reads like this): the quality check sends the page to pdfplumber."""
    content = b"BT /F1 12 Tf 72 700 Td (Plain words here and a few more words to read \x80\x81\x82\x83\x84) Tj ET"
    return _raw_pdf(path, content, PRIVATE_USE_MAP)


@pytest.mark.parametrize(
    ("shape", "engine", "fallback"),
    [
        ("ruled_table", "pdfium", False),  # tables no longer send a page to pdfplumber
        ("decorative_box", "pdfium", False),
        ("coloured_panel", "pdfium", False),
        ("underline", "pdfium", False),
        ("private_use_text", "pdfplumber", True),  # text that fails the quality check does
    ],
)
def test_auto_fallback_decision(tmp_path, shape, engine, fallback):
    path = tmp_path / f"{shape}.pdf"
    path = _pdf(path, SHAPES[shape]) if shape in SHAPES else private_use_page(path)
    page = extract_document(path, engine="auto", ocr=False).pages[0]
    assert page.engine == engine
    assert ("engine_fallback" in page.flags) == fallback


# ---------------------------------------------------------------- real documents


@pytest.mark.slow
@pytest.mark.shared
def test_auto_agrees_with_pdfplumber_on_95_percent_of_real_pages(shared_dir):
    """Real designed NHS PDFs: page texts of auto equal pdfplumber's on >= 95 % of pages,
    with (almost) no page sent to pdfplumber."""
    folder = shared_dir / "data" / "uk_public_pdfs"
    files = sorted(folder.rglob("*.pdf"))
    if not files:
        pytest.skip(f"no PDFs under {folder}")
    same = total = fallback = 0
    for path in files:
        auto = extract_document(path, engine="auto", ocr=False)
        reference = extract_document(path, engine="pdfplumber", ocr=False)
        assert len(auto.pages) == len(reference.pages)
        same += sum(a.text == b.text for a, b in zip(auto.pages, reference.pages))
        total += len(auto.pages)
        fallback += sum("engine_fallback" in p.flags for p in auto.pages)
    assert total >= 100
    assert same >= 0.95 * total, f"auto = pdfplumber on {same} of {total} pages"
    assert fallback <= 0.05 * total, f"{fallback} of {total} pages fell back to pdfplumber"


# ---------------------------------------------------------------- pdfplumber's algorithms, rewritten for speed


def _random_chars(seed: int) -> list[dict]:
    """Characters on a few jittered lines, with spaces, overlaps, gaps and ligatures."""
    import random

    rng = random.Random(seed)
    chars = []
    for line in range(rng.randint(1, 4)):
        x, top = 10.0, 100 + 14 * line + rng.choice([0, 0, 0.5, 2.5, 3.5])
        for _ in range(rng.randint(1, 30)):
            text = rng.choice("abcdefgh  .-\ufb01")
            width = rng.choice([3.0, 5.5, 6.7])
            x0 = x + rng.choice([0, 0, 0, -0.5, 1.0, 2.9, 3.2, 8.0, -9.0])
            top_j = top + rng.choice([0, 0, 0, 1.0, -1.5, 4.0])
            chars.append({"text": text, "x0": x0, "x1": x0 + width, "top": top_j, "bottom": top_j + 12,
                          "doctop": top_j, "upright": True, "width": width, "height": 12.0})
            x = x0 + width
    rng.shuffle(chars)
    return chars


@pytest.mark.parametrize("seed", range(40))
def test_extract_text_is_pdfplumbers(seed):
    from pdfplumber.utils import extract_text as plumber_extract_text

    from svmine.extract.pdfium_tables import extract_text

    chars = _random_chars(seed)
    assert extract_text(chars) == plumber_extract_text(chars)


def _random_grid_edges(seed: int) -> list[dict]:
    import random

    rng = random.Random(seed)
    xs = sorted(rng.sample(range(50, 500, 10), rng.randint(2, 6)))
    ys = sorted(rng.sample(range(50, 700, 10), rng.randint(2, 6)))
    edges = []
    for y in ys:  # rows and columns, some cut short or missing: open cells, merged cells
        if rng.random() < 0.85:
            x0, x1 = xs[0], xs[rng.randint(1, len(xs) - 1)]
            edges.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0, "orientation": "h"})
    for x in xs:
        if rng.random() < 0.85:
            t0, t1 = ys[0], ys[rng.randint(1, len(ys) - 1)]
            edges.append({"x0": x, "x1": x, "top": t0, "bottom": t1, "width": 0, "height": t1 - t0, "orientation": "v"})
    return edges


@pytest.mark.parametrize("seed", range(40))
def test_intersections_to_cells_is_pdfplumbers(seed):
    from pdfplumber import table as pt

    from svmine.extract.pdfium_tables import intersections_to_cells

    intersections = pt.edges_to_intersections(_random_grid_edges(seed), 3, 3)
    assert intersections_to_cells(intersections) == pt.intersections_to_cells(intersections)


def drawing_with_boxes(c) -> None:
    """One path: 12 rounded boxes (a drawing of some 200 segments, curves first) and two boxes."""
    path = c.beginPath()
    for k in range(12):
        path.roundRect(72 + 40 * (k % 6), 450 + 40 * (k // 6), 30, 30, 6)
    path.rect(72, 600, 150, 24)
    path.rect(222, 600, 150, 24)
    c.drawPath(path, stroke=1, fill=0)


def test_a_drawing_path_gives_its_boxes_but_not_its_curves(tmp_path):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    path = _pdf(tmp_path / "drawing.pdf", drawing_with_boxes)
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[0]
        counts = [raw.FPDFPath_CountSegments(raw.FPDFPage_GetObject(page.raw, j)) for j in range(raw.FPDFPage_CountObjects(page.raw))
                  if raw.FPDFPageObj_GetType(raw.FPDFPage_GetObject(page.raw, j)) == raw.FPDF_PAGEOBJ_PATH]
    finally:
        pdf.close()
    assert max(counts) > CURVE_HEAVY  # the case under test: one path, a drawing
    graphics = _pdfium_graphics(path)
    plumber_edges, _, rects = _plumber_edges(path)
    assert graphics.rects == rects == 2
    # the rounded boxes' straight sides are pdfminer curve edges; a drawing's are not read
    assert len(plumber_edges) > 8 + 12 * 4 - 1
    assert len(graphics.edges) == 8
    assert all(e["bottom"] <= 842 - 600 + 0.01 for e in graphics.edges)
