"""PDF pages: PDFium (fast) and pdfplumber (reference) engines behind one interface.

Both engines only produce word boxes (``layout.Word``) and tables; the page
text is then composed by ``layout`` for every engine alike, so engines differ in speed, not
in output.

Decisions:
- PDFium always opens the file first: it is fast and tolerant, gives the page count (for
  the page limit), the metadata, and the page's objects (images, ruling lines). pdfplumber is
  opened only when needed (engine "pdfplumber", or a fallback page in "auto").
- The fast engine takes the whole page text in one call (``get_text_range``) and asks PDFium
  for the box of the first and last character of each word only: per-character calls would
  cost more than the text itself (the word builder: ``pdfium_words``). PDFium joins a hyphenated line break itself and marks the
  hyphen with U+FFFE; the word is split there again so the shared de-hyphenation decides.
  Words are cut where pdfplumber would cut them: at spaces PDFium's text drops (zero-width
  space objects, see ``pdfium_tables.DroppedSpaces``), at a character left of the previous
  one's start or more than 3 pt after its end, at a font-size change.
- Tables: the PDFium engines find them with pdfplumber's own "lines" algorithm fed with edges
  read from PDFium's path objects (``pdfium_tables``), so a ruled table gives the same rows
  in every engine, and a decorative box, a coloured panel or an underline (one cell, or no
  cell at all) is no table in any of them.
- ``auto`` falls back to pdfplumber only for a page whose PDFium text fails a quality check
  (replacement or private-use characters on more than one character in 50), or whose
  geometry breaks the table finder; the page is flagged ``engine_fallback``. Ruling lines and
  boxes no longer send a page there: on designed documents they are everywhere.
- Each pdfplumber page is closed right after use, so memory does not grow with the length
  of the document.
- Encrypted files are opened with the empty password first (many "secured" PDFs only
  restrict printing); otherwise ``EncryptedFileError``.
"""

from __future__ import annotations

import re
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

from svmine.errors import CorruptFileError, EncryptedFileError, PageLimitError
from svmine.extract import ocr as _ocr
from svmine.extract.layout import PageWords, Table, Word, compose, edge_rows, running_keys, strip_running
from svmine.extract.pdfium_tables import PageGraphics, read_graphics
from svmine.extract.pdfium_words import pdfium_words
from svmine.model import (
    ENGINES,
    FLAG_FALLBACK,
    FLAG_HAS_TABLES,
    FLAG_LOW_TEXT_DENSITY,
    FLAG_MULTI_COLUMN,
    FLAG_NEEDS_OCR,
    FLAG_NO_TEXT_LAYER,
    FLAG_OCR,
    METHOD_NONE,
    METHOD_OCR,
    METHOD_TEXT_LAYER,
    Page,
)

FLAG_PAGE_ERROR = "page_error"  # the page could not be read at all
LOW_DENSITY_CHARS = 40  # fewer characters than this on a page that also holds an image
SCAN_COVER = 0.6  # an image over this share of the page makes a low-text page a likely scan


@dataclass
class _RawPage:
    number: int
    words: PageWords
    method: str
    engine: str | None
    flags: list[str] = field(default_factory=list)


@dataclass
class PdfResult:
    pages: list[Page]
    metadata: dict
    warnings: list[str]


def extract_pdf(path: Path, *, engine: str = "auto", ocr: bool = True, max_pages: int = 2000) -> PdfResult:
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    try:
        pdf = _open_pdfium(path)
    except CorruptFileError:
        # pdfminer's lenient parser reads some files PDFium refuses (e.g. broken metadata)
        return _extract_plumber_only(path, max_pages)
    try:
        count = len(pdf)
        _check_count(path, count, max_pages)
        metadata = _metadata(pdf)
        reader = _PageReader(path, pdf, engine, ocr)
        try:
            raw_pages = [reader.read(i) for i in range(count)]
        finally:
            reader.close()
    finally:
        pdf.close()
    return _finish(path, raw_pages, metadata, reader.warnings)


def _check_count(path: Path, count: int, max_pages: int) -> None:
    if count == 0:
        raise CorruptFileError("PDF has no readable pages", str(path))
    if count > max_pages:
        raise PageLimitError(f"{count} pages is over the limit of {max_pages} (see --max-pages)", str(path))


def _finish(path: Path, raw_pages: list, metadata: dict, warnings: list[str]) -> PdfResult:
    if all(FLAG_PAGE_ERROR in p.flags for p in raw_pages):
        raise CorruptFileError("no page could be read (damaged PDF)", str(path))
    return PdfResult(_compose_pages(raw_pages), metadata, warnings)


def _extract_plumber_only(path: Path, max_pages: int) -> PdfResult:
    reader = _PageReader(path, None, "pdfplumber", False)
    plumber = reader._open_plumber()
    if plumber is None:
        raise CorruptFileError("damaged or truncated PDF: it cannot be opened", str(path))
    try:
        try:
            count = len(plumber.pages)
        except Exception:  # noqa: BLE001 - pdfminer fails in many ways on a broken page tree
            raise CorruptFileError("damaged PDF: its page tree cannot be read", str(path)) from None
        _check_count(path, count, max_pages)
        metadata = {k: str(v) for k, v in (("title", plumber.metadata.get("Title")), ("author", plumber.metadata.get("Author"))) if v}
        raw_pages = []
        for i in range(count):
            words = reader._plumber_words(i)
            if words is None:
                raw_pages.append(_RawPage(i + 1, PageWords([], 612.0, 792.0), METHOD_NONE, None, [FLAG_PAGE_ERROR]))
            elif words.words:
                raw_pages.append(_RawPage(i + 1, words, METHOD_TEXT_LAYER, "pdfplumber"))
            else:
                raw_pages.append(_RawPage(i + 1, words, METHOD_NONE, None, [FLAG_NO_TEXT_LAYER]))
    finally:
        reader.close()
    warnings = ["PDFium could not open the file; read with pdfplumber only (no OCR)"] + reader.warnings
    return _finish(path, raw_pages, metadata, warnings)


def _compose_pages(raw_pages: list[_RawPage]) -> list[Page]:
    edges = [edge_rows(p.words) for p in raw_pages]
    keys = running_keys(edges)
    pages = []
    for raw, edge in zip(raw_pages, edges):
        words, headers = strip_running(raw.words, keys, edge)
        text, multi = compose(raw.words, words)
        flags = list(raw.flags)
        if multi:
            flags.append(FLAG_MULTI_COLUMN)
        if raw.words.tables:
            flags.append(FLAG_HAS_TABLES)
        pages.append(Page(raw.number, text, raw.method, flags, raw.engine, headers))
    return pages


# ---------------------------------------------------------------- opening


def _open_pdfium(path: Path):
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    last = None
    for password in (None, ""):
        try:
            return pdfium.PdfDocument(str(path), password=password)
        except pdfium.PdfiumError as exc:
            last = exc
            if getattr(exc, "err_code", None) != raw.FPDF_ERR_PASSWORD:
                break
    code = getattr(last, "err_code", None)
    if code == raw.FPDF_ERR_PASSWORD:
        raise EncryptedFileError("encrypted PDF: it needs a password to open", str(path))
    if code == raw.FPDF_ERR_SECURITY:
        raise EncryptedFileError("encrypted PDF with an unsupported security handler", str(path))
    raise CorruptFileError("damaged or truncated PDF: it cannot be opened", str(path))


def _metadata(pdf) -> dict:
    try:
        meta = pdf.get_metadata_dict(skip_empty=True)
    except Exception:  # noqa: BLE001 - metadata is optional; a broken Info dict must not fail a file
        return {}
    out = {}
    for key, name in (("Title", "title"), ("Author", "author"), ("CreationDate", "created"), ("ModDate", "modified")):
        value = (meta.get(key) or "").strip()
        if value:
            out[name] = _pdf_date(value) if key.endswith("Date") else value
    return out


def _pdf_date(value: str) -> str:
    m = re.match(r"D?:?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?", value)
    if not m:
        return value
    y, mo, d, h, mi, s = (g or dflt for g, dflt in zip(m.groups(), ("", "01", "01", "00", "00", "00")))
    if h == "00" and mi == "00" and s == "00" and not m.group(4):
        return f"{y}-{mo}-{d}"
    return f"{y}-{mo}-{d}T{h}:{mi}:{s}"


# ---------------------------------------------------------------- page reading


class _PageReader:
    def __init__(self, path: Path, pdf, engine: str, ocr: bool):
        self.path, self.pdf, self.engine, self.ocr = path, pdf, engine, ocr
        self.warnings: list[str] = []
        self._plumber = None
        self._plumber_failed = False

    @property
    def _instead(self) -> str:
        return "; PDFium text used" if self.pdf is not None else ""

    def close(self) -> None:
        if self._plumber is not None:
            self._plumber.close()

    def read(self, index: int) -> _RawPage:
        number = index + 1
        try:
            page = self.pdf[index]
        except Exception as exc:  # noqa: BLE001 - PDFium raises PdfiumError or ValueError on bad pages
            self.warnings.append(f"page {number}: cannot be loaded ({exc.__class__.__name__})")
            return _RawPage(number, PageWords([], 612.0, 792.0), METHOD_NONE, None, [FLAG_PAGE_ERROR])
        try:
            return self._read(page, index)
        except Exception as exc:  # noqa: BLE001 - one hostile page must not cost the whole document
            self.warnings.append(f"page {number}: cannot be read ({exc.__class__.__name__})")
            return _RawPage(number, PageWords([], 612.0, 792.0), METHOD_NONE, None, [FLAG_PAGE_ERROR])
        finally:
            page.close()

    def _read(self, page, index: int) -> _RawPage:
        number = index + 1
        fast = self.engine in ("auto", "pdfium")
        info = read_graphics(page, paths=fast)
        flags: list[str] = []
        words = None
        engine_used = None
        if fast:
            words, suspect = pdfium_words(page, info, tables_if_suspect=self.engine == "pdfium")
            engine_used = "pdfium"
            plumbed = self._plumber_words(index) if self.engine == "auto" and suspect else None
            if plumbed is not None:
                words, engine_used = plumbed, "pdfplumber"
                flags.append(FLAG_FALLBACK)
        else:
            words = self._plumber_words(index)
            engine_used = "pdfplumber"
            if words is None:
                words, _ = pdfium_words(page)
                engine_used = "pdfium"
        if words.words:
            chars = sum(len(w.text) for w in words.words)
            if chars < LOW_DENSITY_CHARS and (info.images or info.forms):
                flags.append(FLAG_LOW_TEXT_DENSITY)
                # a scan with a stray text line (a stamped page number): OCR may read the rest;
                # a cover photo with a title is left alone (the image must fill the page)
                if info.image_cover >= SCAN_COVER and self.ocr and not _ocr.unavailable_reason():
                    scanned = self._ocr(page, number, flags)
                    if scanned is not None and sum(len(w.text) for w in scanned.words.words) > 2 * chars + 20:
                        return scanned
            return _RawPage(number, words, METHOD_TEXT_LAYER, engine_used, flags)
        return self._no_text(page, number, info, words, flags)

    def _ocr(self, page, number: int, flags: list[str]) -> _RawPage | None:
        try:
            ocr_words = _ocr.ocr_page(page)
        except _ocr.OcrError as exc:
            self.warnings.append(f"page {number}: OCR failed: {exc}")
            return None
        return _RawPage(number, ocr_words, METHOD_OCR, "tesseract", flags + [FLAG_OCR])

    def _no_text(self, page, number: int, info: PageGraphics, words: PageWords, flags: list[str]) -> _RawPage:
        flags = flags + [FLAG_NO_TEXT_LAYER]
        if not (info.images or info.forms):
            return _RawPage(number, words, METHOD_NONE, None, flags)
        problem = _ocr.unavailable_reason() if self.ocr else "OCR was switched off (--no-ocr)"
        if problem:
            self.warnings.append(f"page {number}: scanned page not read: {problem}")
            return _RawPage(number, words, METHOD_NONE, None, flags + [FLAG_NEEDS_OCR])
        scanned = self._ocr(page, number, flags)
        return scanned or _RawPage(number, words, METHOD_NONE, None, flags + [FLAG_NEEDS_OCR])

    def _plumber_words(self, index: int) -> PageWords | None:
        pdf = self._open_plumber()
        if pdf is None:
            return None
        try:
            page = pdf.pages[index]
        except Exception as exc:  # noqa: BLE001 - pdfminer raises many types on damaged files
            self.warnings.append(f"page {index + 1}: pdfplumber failed ({exc.__class__.__name__}){self._instead}")
            return None
        try:
            return plumber_page_words(page)
        except Exception as exc:  # noqa: BLE001
            self.warnings.append(f"page {index + 1}: pdfplumber failed ({exc.__class__.__name__}){self._instead}")
            return None
        finally:
            page.close()

    def _open_plumber(self):
        if self._plumber is None and not self._plumber_failed:
            import logging

            import pdfplumber

            logging.getLogger("pdfminer").setLevel(logging.ERROR)  # font warnings are noise here
            try:
                with _warnings.catch_warnings():
                    _warnings.simplefilter("ignore")
                    self._plumber = pdfplumber.open(str(self.path), password="")
            except Exception as exc:  # noqa: BLE001
                self._plumber_failed = True
                self.warnings.append(f"pdfplumber cannot open the file ({exc.__class__.__name__}){self._instead}")
        return self._plumber


def plumber_page_words(page) -> PageWords:
    """Words and tables from a pdfplumber page (the caller closes the page)."""
    words = [
        Word(w["text"], w["x0"], w["top"], w["x1"], w["bottom"], round(w.get("size") or (w["bottom"] - w["top"]), 1))
        for w in page.extract_words(extra_attrs=["size"])
    ]
    tables: list[Table] = []
    if page.lines or page.rects:
        for table in page.find_tables():
            rows = table.extract()
            if rows and any(any(c and c.strip() for c in row) for row in rows):
                tables.append(Table(tuple(table.bbox), rows))
    return PageWords(words, float(page.width), float(page.height), tables)


__all__ = ["ENGINES", "PdfResult", "extract_pdf", "plumber_page_words"]
