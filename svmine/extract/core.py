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
  signal would reach it (see ``svmine.extract.worker``); without, ``svmine.extract.reader``
  reads the file here. Both worker and reader import nothing from this module: no import loop.
"""

from __future__ import annotations

import os
from pathlib import Path

from svmine.extract.reader import read_document
from svmine.model import ENGINES, Document


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
    return read_document(Path(path), engine=engine, ocr=ocr, max_pages=max_pages)
