"""svmine.extract through its public interface: sample corpus, layout traps, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from svmine import errors
from svmine.extract import detect_format, extract_document, iter_input_files, sha256_file
from svmine.model import Document

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpora" / "sample"
GOLDEN = Path(__file__).parent / "golden" / "extract"
DOCUMENTS = [
    "plan_one_column.pdf",
    "plan_two_column.pdf",
    "plan_with_table.pdf",
    "plan_scanned_appendix.pdf",
    "policy_procurement.docx",
    "news_page.html",
    "board_minutes.txt",
]
PLANTED = json.loads((SAMPLE / "planted.json").read_text(encoding="utf-8"))


def _needs_tesseract(name: str = "plan_scanned_appendix.pdf") -> None:
    import shutil

    if "scanned" in name and shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed (make sysdeps): OCR test skipped")


@pytest.fixture(scope="module")
def extracted() -> dict[str, Document]:
    return {name: extract_document(SAMPLE / name) for name in DOCUMENTS}


def page(docs: dict[str, Document], name: str, number: int) -> str:
    return docs[name].pages[number - 1].text


# ---------------------------------------------------------------- golden page texts


def _golden(doc: Document) -> dict:
    return {
        "format": doc.format,
        "page_unit": doc.page_unit,
        "pages": [{"number": p.number, "method": p.method, "flags": p.flags, "headers": p.headers, "text": p.text} for p in doc.pages],
    }


@pytest.mark.parametrize("name", DOCUMENTS)
def test_page_texts_match_golden(extracted, name):
    _needs_tesseract(name)
    got = _golden(extracted[name])
    path = GOLDEN / f"{name}.json"
    if os.environ.get("SVMINE_UPDATE_GOLDEN"):
        path.write_text(json.dumps(got, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    want = json.loads(path.read_text(encoding="utf-8"))
    assert (got["format"], got["page_unit"]) == (want["format"], want["page_unit"])
    assert len(got["pages"]) == len(want["pages"])
    for g, w in zip(got["pages"], want["pages"]):
        assert (g["method"], g["flags"], g["headers"]) == (w["method"], w["flags"], w["headers"])
        if g["method"] == "ocr":
            # OCR output may differ by a character between Tesseract versions: compare words
            assert _similar(g["text"], w["text"]) > 0.9, g["text"]
        else:
            assert g["text"] == w["text"]


def _similar(a: str, b: str) -> float:
    import difflib

    return difflib.SequenceMatcher(None, a.split(), b.split()).ratio()


# ---------------------------------------------------------------- engines agree


@pytest.mark.parametrize("name", [n for n in DOCUMENTS if n.endswith(".pdf")])
def test_auto_engine_gives_the_same_text_as_pdfplumber(extracted, name):
    reference = extract_document(SAMPLE / name, engine="pdfplumber")
    assert [p.text for p in extracted[name].pages] == [p.text for p in reference.pages]
    assert all(p.engine == "pdfplumber" for p in reference.pages if p.method == "text_layer")


def test_auto_reads_tables_with_the_fast_engine(extracted):
    assert {p.engine for p in extracted["plan_one_column.pdf"].pages} == {"pdfium"}
    table_page = extracted["plan_with_table.pdf"].pages[0]
    assert table_page.engine == "pdfium"
    assert "has_tables" in table_page.flags and "engine_fallback" not in table_page.flags


def test_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        extract_document(SAMPLE / "plan_one_column.pdf", engine="magic")


# ---------------------------------------------------------------- layout traps


@pytest.mark.parametrize(
    ("name", "number", "present", "absent"),
    [
        # two columns: column 1 is read before column 2, the split word is rejoined
        ("plan_two_column.pdf", 1, "When we commission social value will be part of every evaluation", "so-"),
        ("plan_two_column.pdf", 1, "long-term strategy", "longterm"),
        ("plan_two_column.pdf", 1, "told us at twelve listening events.", "events. Community"),
        ("plan_two_column.pdf", 2, "voluntary, community and social enterprise (VCSE) sector", "sector that sets out how we share Measuring"),
        # running header and footer are gone from the body
        ("plan_one_column.pdf", 2, "Every tender we run will carry a social value weighting of 10%", "North Shire Health and Care Partnership"),
        ("plan_one_column.pdf", 3, "offer voluntary redundancy only", "Page 3 of 3"),
        # curly quotes straightened, pound sign kept
        ("plan_one_column.pdf", 1, 'Our "Shire Promise" to residents', "\u201c"),
        ("plan_one_column.pdf", 2, "\u00a3310 million", "\u00a0"),
        # scanned page read by OCR
        ("plan_scanned_appendix.pdf", 2, "social value", "\x0c"),
        ("plan_scanned_appendix.pdf", 2, "Local charities", "\x0c"),
    ],
)
def test_layout_traps(extracted, name, number, present, absent):
    _needs_tesseract(name)
    text = page(extracted, name, number)
    assert present in text
    assert absent not in text


def test_two_column_order_reads_left_column_first(extracted):
    text = page(extracted, "plan_two_column.pdf", 1)
    assert text.index("Purpose of this plan") < text.index("social value") < text.index("What will change")
    assert "multi_column" in extracted["plan_two_column.pdf"].pages[0].flags
    assert "multi_column" not in extracted["plan_one_column.pdf"].pages[0].flags


def test_running_headers_are_kept_as_metadata(extracted):
    pages = extracted["plan_one_column.pdf"].pages
    assert [p.headers for p in pages] == [
        ["North Shire Health and Care Partnership", f"Page {n} of 3"] for n in (1, 2, 3)
    ]


def test_paragraph_breaks_are_kept(extracted):
    text = page(extracted, "plan_one_column.pdf", 1)
    assert "1. Our ambition\n\nThis plan sets out" in text
    assert "  " not in text and "\n\n\n" not in text


def test_table_text_is_found_once(extracted):
    text = page(extracted, "plan_with_table.pdf", 1)
    assert text.count("Social Value Act") == 1
    assert text.count("third sector partners") == 1
    assert "Use the Social Value Act | Score local benefit in all tenders | Director of Finance" in text


def test_scanned_page_is_marked_ocr(extracted):
    _needs_tesseract()
    scanned = extracted["plan_scanned_appendix.pdf"].pages[1]
    assert scanned.method == "ocr" and scanned.engine == "tesseract"
    assert {"ocr", "no_text_layer"} <= set(scanned.flags)


def test_scanned_page_without_tesseract_is_flagged_not_silent(monkeypatch):
    import shutil

    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "tesseract" else real(name, *a, **k))
    doc = extract_document(SAMPLE / "plan_scanned_appendix.pdf")
    scanned = doc.pages[1]
    assert scanned.method == "none" and scanned.text == ""
    assert "needs_ocr" in scanned.flags
    assert any("apt-get install tesseract-ocr" in w and "page 2" in w for w in doc.warnings)


def test_ocr_can_be_switched_off():
    doc = extract_document(SAMPLE / "plan_scanned_appendix.pdf", ocr=False)
    assert "needs_ocr" in doc.pages[1].flags
    assert any("switched off" in w for w in doc.warnings)


# ---------------------------------------------------------------- other formats


def test_docx_has_one_logical_page_per_section(extracted):
    doc = extracted["policy_procurement.docx"]
    assert (doc.format, doc.page_unit, len(doc.pages)) == ("docx", "section", 2)
    assert "Public Services (Social Value) Act 2012" in doc.pages[0].text
    assert "Social value | 10%" in doc.pages[1].text
    assert doc.pages[0].headers == ["North Shire CCG - Policy CP-07"]
    assert doc.metadata["title"] == "Commissioning and Procurement Policy"
    assert all("logical_page" in p.flags for p in doc.pages)


def test_html_skips_navigation_scripts_and_footer(extracted):
    doc = extracted["news_page.html"]
    text = doc.pages[0].text
    assert (doc.format, doc.page_unit) == ("html", "document")
    assert "third sector groups" in text and "charities and social enterprises" in text
    for boilerplate in ("analytics", "Contact us", "font-family", "Cookie settings"):
        assert boilerplate not in text
    assert "30 June 2017" in text  # &nbsp; became a plain space
    assert doc.metadata["title"].startswith("Partnership news")


def test_plain_text_encoding_is_detected(extracted):
    doc = extracted["board_minutes.txt"]
    assert doc.metadata["encoding"] == "cp1252"
    assert "Chair's update" in doc.pages[0].text
    assert 'the "excellent" response' in doc.pages[0].text


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("Caf\u00e9 \u201cquote\u201d".encode("utf-8"), 'Café "quote"'),
        ("Caf\u00e9 \u201cquote\u201d".encode("utf-16"), 'Café "quote"'),
        ("Caf\u00e9 \u2018quote\u2019 and more text here".encode("cp1252"), "Café 'quote' and more text here"),
        ("\ufeffBOM first".encode("utf-8"), "BOM first"),
    ],
)
def test_text_encodings(tmp_path, content, expected):
    path = tmp_path / "note.txt"
    path.write_bytes(content)
    assert extract_document(path).pages[0].text == expected


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("relpath", "error", "words"), [
    ("broken/empty.pdf", errors.EmptyFileError, "empty"),
    ("broken/truncated.pdf", errors.CorruptFileError, "damaged"),
    ("broken/webpage_saved.pdf", errors.FormatMismatchError, "web page"),
    ("broken/encrypted.pdf", errors.EncryptedFileError, "password"),
    ("broken/unsupported.png", errors.UnsupportedFormatError, "PNG"),
])  # fmt: skip
def test_bad_input_raises_typed_one_line_errors(relpath, error, words):
    with pytest.raises(error) as info:
        extract_document(SAMPLE / relpath)
    message = str(info.value)
    assert words in message and relpath in message and "\n" not in message
    assert isinstance(info.value, errors.ExtractionError)


def test_planted_failures_match_the_errors_given():
    for failure in PLANTED["failures"]:
        with pytest.raises(errors.ExtractionError) as info:
            extract_document(SAMPLE / failure["file"])
        assert info.value.code == failure["error_code"], failure["file"]


def test_pdf_with_empty_user_password_opens(tmp_path):
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfgen import canvas

    path = tmp_path / "owner_only.pdf"
    c = canvas.Canvas(str(path), invariant=1, encrypt=StandardEncryption("", ownerPassword="owner", canPrint=0))
    c.drawString(72, 720, "Printing is restricted but reading is not.")
    c.showPage()
    c.save()
    assert extract_document(path).pages[0].text == "Printing is restricted but reading is not."


def test_page_limit():
    with pytest.raises(errors.PageLimitError, match="3 pages is over the limit of 2"):
        extract_document(SAMPLE / "plan_one_column.pdf", max_pages=2)


def test_time_limit_stops_a_slow_file():
    # OCR of the scanned page takes far longer than 50 ms: the child process is killed
    with pytest.raises(errors.ExtractionTimeout, match="time limit"):
        extract_document(SAMPLE / "plan_scanned_appendix.pdf", timeout=0.05)


def test_time_limited_extraction_returns_the_same_document():
    doc = extract_document(SAMPLE / "plan_two_column.pdf", timeout=60)
    assert doc.to_dict() == extract_document(SAMPLE / "plan_two_column.pdf").to_dict()


def test_time_limited_extraction_rebuilds_typed_errors():
    with pytest.raises(errors.EncryptedFileError):
        extract_document(SAMPLE / "broken/encrypted.pdf", timeout=60)


def test_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(errors.ExtractionError, match="no such file"):
        extract_document(tmp_path / "nope.pdf")


# ---------------------------------------------------------------- files


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("plan_one_column.pdf", "pdf"),
        ("policy_procurement.docx", "docx"),
        ("news_page.html", "html"),
        ("board_minutes.txt", "text"),
        ("broken/webpage_saved.pdf", "html"),  # judged by content, not by name
    ],
)
def test_detect_format_by_content(name, expected):
    assert detect_format(SAMPLE / name) == expected


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", errors.EmptyFileError),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, errors.UnsupportedFormatError),
        (b"PK\x03\x04 not really a zip", errors.UnsupportedFormatError),
        (bytes(range(256)) * 4, errors.UnsupportedFormatError),
    ],
)
def test_detect_format_refuses(tmp_path, content, error):
    path = tmp_path / "file.bin"
    path.write_bytes(content)
    with pytest.raises(error):
        detect_format(path)


def test_sha256_file(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert sha256_file(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert extract_document(path).sha256 == sha256_file(path)


def test_iter_input_files_walks_sorted_and_filters():
    names = [p.relative_to(SAMPLE).as_posix() for p in iter_input_files([SAMPLE])]
    assert names == [  # sorted walk; planted.json is corpus data, not a document
        "board_minutes.txt", "broken/empty.pdf", "broken/encrypted.pdf", "broken/truncated.pdf",
        "broken/unsupported.png", "broken/webpage_saved.pdf", "news_page.html", "plan_one_column.pdf",
        "plan_scanned_appendix.pdf", "plan_two_column.pdf", "plan_with_table.pdf", "policy_procurement.docx",
    ]  # fmt: skip
    only_pdf = [p.name for p in iter_input_files([SAMPLE], include=["*.pdf"], exclude=["broken/*"])]
    assert only_pdf == ["plan_one_column.pdf", "plan_scanned_appendix.pdf", "plan_two_column.pdf", "plan_with_table.pdf"]
    flat = [p.name for p in iter_input_files([SAMPLE], recursive=False)]
    assert "empty.pdf" not in flat
    explicit = list(iter_input_files([SAMPLE / "planted.json", SAMPLE / "planted.json"]))
    assert explicit == [SAMPLE / "planted.json"]


# ---------------------------------------------------------------- the corpus itself


def test_planted_mentions_are_on_their_pages(extracted):
    _needs_tesseract()
    for item in PLANTED["mentions"]:
        assert page(extracted, item["file"], item["page"]).count(item["text"]) == item["count"], item
    for item in PLANTED["distractors"] + PLANTED["implicit"]:
        assert item["text"] in page(extracted, item["file"], item["page"]), item


def test_sample_corpus_regenerates_byte_identically(tmp_path):
    """Two runs give the same bytes, and the same files as the committed corpus.

    Bytes are compared run against run rather than against the committed files: another
    reportlab or Pillow release may write the same documents with different bytes.
    """
    script = ROOT / "scripts" / "make_sample_corpus.py"
    runs = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
        runs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert runs[0] == runs[1]
    committed = {p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*") if p.is_file()}
    assert set(runs[0]) <= committed  # other stages may add their own files (e.g. manifest.csv)
    assert runs[0]["planted.json"] == (SAMPLE / "planted.json").read_bytes()


def test_scan_with_a_stray_text_line_is_ocred(tmp_path):
    """A scanned page whose text layer holds only a stamped page number is still read."""
    _needs_tesseract()
    import importlib.util
    import io

    from reportlab.lib.utils import ImageReader

    spec = importlib.util.spec_from_file_location("make_sample_corpus", ROOT / "scripts" / "make_sample_corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    path = tmp_path / "stamped_scan.pdf"
    c = corpus.new_canvas(path, "stamped scan")
    buf = io.BytesIO()
    corpus.scanned_image().save(buf, format="PNG")
    buf.seek(0)
    c.drawImage(ImageReader(buf), 0, 0, width=corpus.WIDTH, height=corpus.HEIGHT)
    c.setFont("Helvetica", 8)
    c.drawString(500, 20, "Page 7")
    c.showPage()
    c.save()
    scanned = extract_document(path).pages[0]
    assert scanned.method == "ocr"
    assert {"low_text_density", "ocr"} <= set(scanned.flags)
    assert "social value" in scanned.text


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<p>Keep <!-- a comment --> this</p>", "Keep this"),
        ("<p>Shown</p><div hidden>secret</div><p style='display: none'>gone</p>", "Shown"),
        ("<p>line one<br>line two</p>", "line one line two"),
        ("<table><tr><th>Area</th><th>Lead</th></tr><tr><td>VCSE grants</td><td>Jo</td></tr></table>", "Area | Lead\nVCSE grants | Jo"),
        ("<aside>Related links</aside><main><h2>Plan</h2><p>Body text.</p></main>", "Plan\n\nBody text."),
        ("<ul><li>one</li><li>two</li></ul>", "one\n\ntwo"),
    ],
)
def test_html_structure(tmp_path, body, expected):
    path = tmp_path / "page.html"
    path.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>", encoding="utf-8")
    assert extract_document(path).pages[0].text == expected


def test_a_crashing_child_is_reported_and_replaced():
    """A PDF library crash kills only the child: the file fails typed, the next file is read."""
    _needs_tesseract()  # the OCR run is what keeps the child busy long enough
    import threading

    from svmine.extract.worker import ExtractWorker

    with ExtractWorker() as worker:
        worker.extract(SAMPLE / "board_minutes.txt", 60)  # the child is up
        threading.Timer(0.3, worker._proc.kill).start()  # "segfault" while it OCRs the scan
        with pytest.raises(errors.CorruptFileError, match="crashed"):
            worker.extract(SAMPLE / "plan_scanned_appendix.pdf", 60)
        assert worker.extract(SAMPLE / "news_page.html", 60).format == "html"


def test_cover_photo_with_a_title_is_not_ocred(tmp_path):
    """Few characters next to a picture that does not fill the page: keep the text layer."""
    import io

    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    picture = Image.new("L", (1200, 800), 255)
    ImageDraw.Draw(picture).text((50, 50), "CAPTION INSIDE THE PHOTO " * 3, fill=0)
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    buf.seek(0)
    path = tmp_path / "cover.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.drawImage(ImageReader(buf), 100, 300, width=400, height=266)
    c.setFont("Helvetica-Bold", 24)
    c.drawString(100, 700, "Five Year Plan")
    c.showPage()
    c.save()
    cover = extract_document(path).pages[0]
    assert (cover.method, cover.text) == ("text_layer", "Five Year Plan")
    assert "low_text_density" in cover.flags and "ocr" not in cover.flags
