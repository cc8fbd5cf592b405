"""Reading one file in the calling process, whatever its format: what ``extract_document`` runs
directly, and what its timeout worker (``svmine.extract.worker``) runs in the child.

Its own module so that neither ``core`` nor the worker imports the other (the worker used to
reach back into ``core`` for this function).
"""

from __future__ import annotations

from pathlib import Path

from svmine.errors import ExtractionError, FormatMismatchError, NotRegularFileError
from svmine.extract.files import detect_format, sha256_file, special_file_reason
from svmine.model import TRUNCATED_WARNING, PAGE_UNIT_DOCUMENT, PAGE_UNIT_PDF, PAGE_UNIT_SECTION, Document

_CLAIMED = {".pdf": "pdf", ".docx": "docx", ".docm": "docx"}
_NAMES = {"pdf": "a PDF", "docx": "a Word (DOCX) file", "html": "a web page (HTML)", "text": "plain text"}


def read_document(path: Path, **options) -> Document:
    """Read one file in this process: ``_extract``, with any unexpected library exception turned into a typed error.

    Hostile PDFs raise all sorts of things from pdfminer and PDFium (KeyError, struct.error,
    RecursionError...); a batch must record them per file, never crash on them.
    """
    try:
        return _extract(path, **options)
    except ExtractionError:
        raise
    except (MemoryError, RecursionError, Exception) as exc:  # noqa: BLE001
        detail = str(exc).splitlines()[0][:120] if str(exc) else ""
        raise ExtractionError(f"unexpected {type(exc).__name__} while reading: {detail}".rstrip(": "), str(path)) from exc


def _extract(path: Path, *, engine: str, ocr: bool, max_pages: int) -> Document:
    reason = special_file_reason(path)
    if reason == "no such file":
        raise ExtractionError(reason, str(path))
    if reason is not None:
        raise NotRegularFileError(reason, str(path))
    fmt = detect_format(path)
    claimed = _CLAIMED.get(path.suffix.lower())
    if claimed and claimed != fmt:
        raise FormatMismatchError(
            f"named {path.suffix} but holds {_NAMES[fmt]} (a failed download?); rename it to extract it as such",
            str(path),
        )
    sha = sha256_file(path)
    if fmt == "pdf":
        from svmine.extract.pdf import extract_pdf

        result = extract_pdf(path, engine=engine, ocr=ocr, max_pages=max_pages)
        pages, metadata, warnings, unit = result.pages, result.metadata, result.warnings, PAGE_UNIT_PDF
    else:
        from svmine.extract import structured

        reader = {"docx": structured.extract_docx, "html": structured.extract_html, "text": structured.extract_text_file}[fmt]
        pages, metadata, warnings = reader(path)
        unit = PAGE_UNIT_SECTION if fmt == "docx" else PAGE_UNIT_DOCUMENT
    truncated = any(w.startswith(TRUNCATED_WARNING) for w in warnings)
    return Document(str(path), sha, fmt, unit, metadata, pages, warnings, truncated)
