"""Robustness: every PDF in ../shared/data/pdf_corpora extracts or fails with a typed error."""

from __future__ import annotations

import pytest

from svmine.errors import ExtractionError
from svmine.extract import iter_input_files
from svmine.extract.batch import extract_files

PER_FILE_SECONDS = 60


@pytest.mark.slow
@pytest.mark.shared
def test_hostile_pdfs_extract_or_fail_typed(shared_dir):
    folder = shared_dir / "data" / "pdf_corpora"
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    files = list(iter_input_files([folder], include=["*.pdf"]))
    assert len(files) > 100
    outcomes = {}
    # one killable child process for the batch: a hang or a crash becomes a typed error
    for result in extract_files(files, engine="auto", ocr=False, timeout=PER_FILE_SECONDS):
        if result.error is not None:
            assert isinstance(result.error, ExtractionError)
            message = str(result.error)
            assert "\n" not in message and str(result.path) in message
            outcomes[result.path.name] = result.error.code
        else:
            doc = result.document
            assert doc.pages and all(p.number == i for i, p in enumerate(doc.pages, start=1))
            outcomes[result.path.name] = "ok"
    assert len(outcomes) == len(files)
    codes = set(outcomes.values())
    assert "timeout" not in codes, [n for n, c in outcomes.items() if c == "timeout"]
    assert sum(c == "ok" for c in outcomes.values()) >= 0.8 * len(files)
    assert outcomes.get("tests_pdfs_password-example.pdf") == "encrypted"


REAL = [
    "licence_pages/Open Government Licence.pdf",
    "licence_pages/NHS England, Terms and conditions.pdf",
    "Aiswarya2668-NHS-Navigator-RAG/Data Driven Healthcare in 2030 - Summary report - Mar 21.pdf",
]


@pytest.mark.slow
@pytest.mark.shared
@pytest.mark.parametrize("name", REAL)
def test_engines_agree_on_real_public_documents(shared_dir, name):
    """auto (PDFium) and pdfplumber give the same page texts on real NHS/government PDFs."""
    from svmine.extract import extract_document

    path = shared_dir / "data" / "uk_public_pdfs" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    auto = extract_document(path, engine="auto", ocr=False)
    reference = extract_document(path, engine="pdfplumber", ocr=False)
    assert [p.text for p in auto.pages] == [p.text for p in reference.pages]
    assert sum(len(p.text) for p in auto.pages) > 1000
