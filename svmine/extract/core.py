"""``extract_document``: one file in, one ``Document`` out, whatever the format.

Decisions:
- The format is judged from the content (``detect_format``). A file whose name promises a
  PDF or DOCX but which holds something else (typically a web page saved under a ``.pdf``
  name: an error page or a login wall instead of the plan) is **not** extracted: it raises
  ``FormatMismatchError`` naming what it really holds. Mining it as if it were the plan would
  quietly report "no mention"; renaming it to ``.html`` extracts it as a web page.
- ``Document.truncated`` is set when a reader's warnings say a parser stopped before the end
  of the file (they start with ``TRUNCATED_WARNING``), whatever the format.
- ``timeout``: when given, the work runs in a child process that is killed when the time is
  up, because a pathological PDF can loop inside PDFium's or pdfminer's code where no Python
  signal would reach it (see ``svmine.extract.worker``).
"""

from __future__ import annotations

import os
from pathlib import Path

from svmine.errors import ExtractionError, FormatMismatchError, NotRegularFileError
from svmine.extract.files import detect_format, sha256_file, special_file_reason
from svmine.model import TRUNCATED_WARNING, PAGE_UNIT_DOCUMENT, PAGE_UNIT_PDF, PAGE_UNIT_SECTION, Document

ENGINES = ("auto", "pdfplumber", "pdfium")
_CLAIMED = {".pdf": "pdf", ".docx": "docx", ".docm": "docx"}
_NAMES = {"pdf": "a PDF", "docx": "a Word (DOCX) file", "html": "a web page (HTML)", "text": "plain text"}


def extract_document(
    path: str | os.PathLike,
    *,
    engine: str = "auto",
    ocr: bool = True,
    max_pages: int = 2000,
    timeout: float | None = None,
) -> Document:
    """Read a PDF, DOCX, HTML or text file into a ``Document`` of pages.

    Raises ``svmine.errors.ExtractionError`` subclasses (empty, unsupported, corrupt,
    encrypted, page limit, format mismatch, timeout), each with a one-line message.
    """
    if engine not in ENGINES:  # a caller's mistake, not a property of the file
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if timeout is not None:
        from svmine.extract.worker import run_with_timeout

        return run_with_timeout(path, timeout, engine=engine, ocr=ocr, max_pages=max_pages)
    return _extract_safely(Path(path), engine=engine, ocr=ocr, max_pages=max_pages)


def _extract_safely(path: Path, **options) -> Document:
    """``_extract``, with any unexpected library exception turned into a typed error.

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
