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
  cost more than the text itself. PDFium joins a hyphenated line break itself and marks the
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

import ctypes
import math
import re
import warnings as _warnings
from dataclasses import dataclass, field
from pathlib import Path

from svmine.errors import CorruptFileError, EncryptedFileError, PageLimitError
from svmine.extract import ocr as _ocr
from svmine.extract.layout import PageWords, Table, Word, compose, edge_rows, running_keys, strip_running
from svmine.extract.pdfium_tables import DroppedSpaces, PageGraphics, could_hold_table, find_tables, read_graphics, table_chars
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
_TOKEN = re.compile(r"[^\s\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")
_BAD_CHARS = re.compile(r"[\ufffd\ue000-\uf8ff]")
# Tokens where a gap without a space char (or a superscript) is likely: numbering ("10.The"),
# footnote marks ("care1"), dot leaders. Only these pay for per-character boxes.
_SUSPECT = re.compile(r"\d|\.\.|[.:;)\]][^\W\d_]|[a-z][A-Z]")
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
            words, suspect = _pdfium_words(page, info, tables_if_suspect=self.engine == "pdfium")
            engine_used = "pdfium"
            plumbed = self._plumber_words(index) if self.engine == "auto" and suspect else None
            if plumbed is not None:
                words, engine_used = plumbed, "pdfplumber"
                flags.append(FLAG_FALLBACK)
        else:
            words = self._plumber_words(index)
            engine_used = "pdfplumber"
            if words is None:
                words, _ = _pdfium_words(page)
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


def _pdfium_words(page, graphics: PageGraphics | None = None, *, tables_if_suspect: bool = True) -> tuple[PageWords, bool]:
    """Words (and, given the page's ``graphics``, tables) from PDFium, and whether the text
    looks unreliable (fallback wanted). Tables are not looked for in suspect text unless
    ``tables_if_suspect``: the fallback engine will find them."""
    import pypdfium2.raw as raw

    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        handle = textpage.raw
        count = raw.FPDFText_CountChars(handle)
        if count <= 0:
            return PageWords([], width, height), False
        text = textpage.get_text_range(0, count)
        if len(text) != count:  # characters outside the BMP: index by character instead
            text = "".join(chr(raw.FPDFText_GetUnicode(handle, i) or 32) for i in range(count))
        spans: list[tuple] | None = [] if graphics is not None and could_hold_table(graphics) else None
        dropped = DroppedSpaces(graphics.spaces if graphics is not None else [])
        sizes = _Sizes(handle)
        words = _tokens_to_words(handle, text, height, spans, dropped, sizes)
        visible = sum(len(w.text) for w in words)
        bad = len(_BAD_CHARS.findall(text))
        suspect = visible > 0 and bad > max(2, visible // 50)
        tables: list[Table] = []
        if spans and (tables_if_suspect or not suspect):
            try:
                tables = find_tables(graphics, lambda boxes: table_chars(handle, text, height, spans, boxes, sizes.of, dropped))
            except (ArithmeticError, ValueError, TypeError, RecursionError):
                suspect = True  # hostile geometry (NaN, huge numbers): let the reference engine try
    finally:
        textpage.close()
    return PageWords(words, width, height, tables), suspect


def _tokens_to_words(handle, text: str, height: float, spans: list | None = None, dropped: DroppedSpaces | None = None,
                     sizes: _Sizes | None = None) -> list[Word]:
    """Word boxes from PDFium with as few calls as possible (the calls are the cost).

    Each token's first character gives x0, top and bottom. Its x1 comes from its last
    character only where it matters: at the end of a PDFium line, before a hyphen split, or
    where the next token starts further away than the token's own characters could reach
    (a column jump). Elsewhere x1 is the next token's x0 less a quarter em (one space): only
    line ends and gaps wider than a space feed layout decisions, so the page text does not
    depend on it. ``spans``, when given, receives each token's (start, stop, top, bottom) in
    PDF coordinates, for the table reader. A token that holds a space PDFium dropped
    (``dropped``) is cut there; only tokens with a dropped space between their first and
    last character pay for per-character boxes.
    """
    import pypdfium2.raw as raw

    sizes = _Sizes(handle) if sizes is None else sizes
    rect = raw.FS_RECTF()
    box = ctypes.byref(rect)
    get_box = raw.FPDFText_GetLooseCharBox
    words: list[Word] = []
    last_top = size = None
    prev = None  # the previous token, waiting for its x1: (token, start, end, x0, top, bottom, size)
    for m in _TOKEN.finditer(text):
        start, stop = m.span()
        if not get_box(handle, start, box):
            continue
        x0, top, bot = rect.left, rect.top, rect.bottom
        if spans is not None:
            spans.append((start, stop, top, bot))
        if top != last_top:  # font size changes are rare inside a line: ask once per line
            last_top, size = top, sizes.of(start, rect)
        if prev is not None and dropped and _cut_dropped(handle, text, prev, x0 if top == prev[4] else math.inf, height, dropped, words, rect, box, sizes):
            prev = None
        if prev is not None:
            p_token, p_start, p_end, p_x0, p_top, p_bot, p_size = prev
            if top == p_top and start == p_end + 2 and text[p_end + 1] == " " and p_x0 < x0 < p_x0 + (len(p_token) + 1) * p_size:
                words.append(Word(p_token, p_x0, height - p_top, x0 - 0.25 * p_size, height - p_bot, p_size))
            else:
                _finish_word(handle, text, prev, height, words, rect, box)
        token = text[start:stop]
        if stop - start > 1 and _SUSPECT.search(token):
            cuts = dropped.between(bot, top, x0, math.inf) if dropped else ()
            words.extend(_split_by_chars(handle, text, start, stop, height, cuts, sizes))
            prev = None
            continue
        prev = (token, start, stop - 1, x0, top, bot, size)
    if prev is not None and dropped and _cut_dropped(handle, text, prev, math.inf, height, dropped, words, rect, box, sizes):
        prev = None
    if prev is not None:
        _finish_word(handle, text, prev, height, words, rect, box)
    return words


def _cut_dropped(handle, text: str, tok: tuple, limit: float, height: float, dropped: DroppedSpaces, words: list[Word], rect, box,
                 sizes: _Sizes | None = None) -> bool:
    """Split ``tok`` where PDFium dropped a space inside it; False when none lies inside.

    ``limit`` is the next token's x0 on the same line (or infinity): a dropped space beyond
    it belongs to a later token. The last character's box tells a space inside the token
    from the one just after it."""
    import pypdfium2.raw as raw

    token, start, end, x0, top, bot, size = tok
    if end == start or not dropped.between(bot, top, x0, limit):
        return False
    if not raw.FPDFText_GetLooseCharBox(handle, end, box):
        return False
    cuts = dropped.between(bot, top, x0, rect.left + 0.01)
    if not cuts:
        return False
    words.extend(_split_by_chars(handle, text, start, end + 1, height, cuts, sizes))
    return True


class _Sizes(dict):
    """Font sizes of one page's characters, keyed by their loose box height: PDFium's loose
    box is the font's ascent to descent at the size used, so one font at one size has one
    height, and two calls per character become one dictionary look-up."""

    def __init__(self, handle):
        super().__init__()
        self.handle = handle

    def of(self, index: int, rect) -> float:
        key = rect.top - rect.bottom
        size = self.get(key)
        if size is None:
            size = self[key] = _font_size(self.handle, index)
        return size


def _font_size(handle, index: int) -> float:
    """The size a reader sees: the font size times the scale of the character's matrix.

    Word and many other producers write ``1 Tf`` and scale the text matrix to 12, where
    ``FPDFText_GetFontSize`` alone says 1; pdfplumber reports the scaled size, and so do we.
    """
    import pypdfium2.raw as raw

    matrix = raw.FS_MATRIX()
    size = raw.FPDFText_GetFontSize(handle, index)
    if raw.FPDFText_GetMatrix(handle, index, ctypes.byref(matrix)):
        size *= math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
    return round(size, 1)


def _finish_word(handle, text: str, tok: tuple, height: float, words: list[Word], rect, box) -> None:
    """Close a token whose x1 must come from its last character's box."""
    import pypdfium2.raw as raw

    token, start, end, x0, top, bot, size = tok
    if not raw.FPDFText_GetLooseCharBox(handle, end, box):
        words.append(Word(token, x0, height - top, x0, height - bot, size))
        return
    x1 = rect.right
    if end != start and (abs(rect.top - top) > 0.5 * (top - bot if top - bot > 1.0 else 1.0) or x1 < x0):
        words.extend(_split_by_chars(handle, text, start, end + 1, height))
        return
    words.append(Word(token, x0, height - top, x1, height - bot, size))


def _split_by_chars(handle, text: str, start: int, stop: int, height: float, cuts=(), sizes: _Sizes | None = None) -> list[Word]:
    """Cut a token where pdfplumber would see two words: before the first character at or
    after each x in ``cuts`` (spaces PDFium dropped), a font-size change (superscripts), or
    a jump to another line or column that PDFium did not separate with a space.

    A gap alone (over 0.08 em, say) is no cut: letter-spaced text has such gaps, and the
    spaces Word hides under the next letter are found as dropped space objects instead."""
    import pypdfium2.raw as raw

    sizes = _Sizes(handle) if sizes is None else sizes
    rect = raw.FS_RECTF()
    box = ctypes.byref(rect)
    out: list[Word] = []
    current: list[tuple[str, float, float, float, float, float]] = []

    def emit() -> None:
        if current:
            top = max(c[2] for c in current)
            bot = min(c[4] for c in current)
            out.append(Word("".join(c[0] for c in current), current[0][1], height - top, current[-1][3], height - bot, current[0][5]))
            current.clear()

    for i in range(start, stop):
        if not raw.FPDFText_GetLooseCharBox(handle, i, box):
            continue
        char = (text[i], rect.left, rect.top, rect.right, rect.bottom, sizes.of(i, rect))
        if current:
            prev = current[-1]
            line = max(1.0, prev[2] - prev[4])
            gap = char[1] - prev[3]
            # pdfplumber's own word rule: a character left of the previous one's start, or more
            # than 3 pt after its end, starts a new word (tight letter-spacing overlaps freely)
            if (abs(prev[2] - char[2]) > 0.5 * line or char[1] < prev[1] or gap > 3 or char[5] != prev[5]
                    or any(prev[1] < cut <= char[1] + 0.01 for cut in cuts)):
                emit()
        current.append(char)
    emit()
    return out


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
