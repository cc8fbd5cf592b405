"""PDF page images and mention rectangles for the page view (pypdfium2).

Design decisions
- Only documents registered in the store are read, by id, and only after their sha256 matches the
  stored one (hashed again whenever its size or mtime changes): a path in the database that now holds other
  content never reaches a reader, and no URL ever names a file.
- Images are cached as ``<db>.cache/pages/<sha256>-<page>.png`` in the store's own folder, always
  as an absolute path (a relative ``--db`` once put the cache beside the working folder while
  Flask looked for it beside the package: every image was a 500), written to a temporary name and
  renamed, so concurrent requests never see half a file; content-addressed names stay valid
  across re-scans and renames.
- Rendering is capped in pixels, not only in scale: a PDF page may be 200 inches square (14,400 pt),
  which at the usual 2x took 5.7 GB. The scale is ``min(2, sqrt(MAX_PIXELS / (w * h)))``, so an
  ordinary page keeps 144 dpi and a huge one is rendered at whatever scale fits ``MAX_PIXELS``.
- PDFium is not thread-safe, and the review server is threaded: every PDFium call runs under one lock.
- The mention's rectangle is found by searching its text in PDFium's own text of the page, both
  normalised (whitespace runs, curly quotes, dashes, ligatures, case: extractors differ there),
  taking the same occurrence as in the stored page text; a long mention not found whole is
  found by its first and last words. A scanned page (no text layer) is searched in Tesseract's
  word boxes on the rendered image, cached as ``<sha256>-<page>.words.json``. Boxes are fractions
  of the page, so the overlay scales with the image whatever its displayed size.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from svmine.hashing import sha256_file

MIN_TEXT_LAYER = 20  # fewer characters than this on a page: treat it as scanned
RENDER_SCALE = 2.0  # 144 dpi: sharp on high-density screens, ~1 MB per A4 page at most
MAX_PIXELS = 6_000_000  # an A4 page at 2x is 2 Mpx; a huge page is scaled down to this (24 MB as RGBA)
_PDFIUM_LOCK = threading.Lock()
_VERIFIED: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> sha256 already checked


class PageUnavailable(Exception):
    """The page cannot be shown (not a PDF, file missing or changed, page out of range)."""


def cache_dir(db_path: str | Path) -> Path:
    db_path = Path(os.path.abspath(db_path))
    path = db_path.with_name(f"{db_path.name}.cache") / "pages"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_pdf(doc: dict) -> Path:
    if doc.get("format") != "pdf":
        raise PageUnavailable("not a PDF")
    path = Path(doc["path"])
    if not path.is_file():
        raise PageUnavailable("file no longer at its scanned path")
    stat = path.stat()
    seen = (str(path), stat.st_size, stat.st_mtime_ns)
    if _VERIFIED.get(seen) != doc["sha256"]:  # hash again only when size or mtime moved
        digest = sha256_file(path)
        if digest != doc["sha256"]:
            raise PageUnavailable("file changed since it was scanned")
        _VERIFIED[seen] = digest
    return path


def render_scale(width: float, height: float, max_pixels: int = MAX_PIXELS) -> float:
    """The scale that renders a ``width`` x ``height`` pt page at 2x, or smaller so that the
    image holds at most ``max_pixels`` (PDFium rounds each side up: one pixel of slack each)."""
    width, height = max(float(width), 1.0), max(float(height), 1.0)
    fit = (max_pixels / (width * height)) ** 0.5
    while fit > 0 and (width * fit + 1) * (height * fit + 1) > max_pixels:
        fit *= 0.99
    return min(RENDER_SCALE, fit)


def page_image(db_path: str | Path, doc: dict, page: int) -> Path:
    """The cached PNG of ``page`` (1-based) of a registered PDF, rendered on first request."""
    target = cache_dir(db_path) / f"{doc['sha256']}-{int(page)}.png"
    if target.is_file():
        return target
    path = check_pdf(doc)
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                raise PageUnavailable(f"no page {page}")
            pdf_page = pdf[page - 1]
            image = pdf_page.render(scale=render_scale(*pdf_page.get_size())).to_pil()
        finally:
            pdf.close()
    temporary = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    image.save(temporary, format="PNG", optimize=True)
    os.replace(temporary, target)
    return target


# Typographic characters a PDF holds where extracted text has plain ones (or nothing).
_PLAIN = {"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u2018": "'",
          "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u2013": "-", "\u2014": "-",
          "\u2012": "-", "\u2212": "-", "\u00ad": "", "\ufb01": "fi", "\ufb02": "fl", "\ufb00": "ff",
          "\ufb03": "ffi", "\ufb04": "ffl",
          "\ufffe": "", "\x02": ""}  # PDFium's marks for a hyphen it removed at a line end


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` lower-cased with plain quotes/dashes/letters, whitespace runs as one space and
    words hyphenated across a line break joined, and for each character of the result the index
    of the character of ``text`` it came from."""
    out, index, previous_space, i = [], [], False, 0
    while i < len(text):
        ch = text[i]
        if ch in "-\u00ad" and text[i + 1: i + 3].lstrip(" \r").startswith("\n"):
            i += 1  # "commu-\nnity" reads "community": drop the hyphen and the line break
            while i < len(text) and text[i].isspace():
                i += 1
            continue
        if ch.isspace():
            if not previous_space:
                out.append(" ")
                index.append(i)
            previous_space = True
        else:
            for piece in _PLAIN.get(ch, ch).lower():
                out.append(piece)
                index.append(i)
                previous_space = False
        i += 1
    return "".join(out), index


def occurrence(page_text: str, needle: str, start: int) -> int:
    """How many times ``needle`` occurs (normalised) in ``page_text`` before ``start``."""
    flat_needle = _normalised(needle.strip())[0]
    return _normalised(page_text[: max(start, 0)])[0].count(flat_needle) if flat_needle else 0


def _locate(flat: str, needle: str, nth: int) -> tuple[int, int] | None:
    """(first, last) positions in ``flat`` of the ``nth`` occurrence of ``needle``; a long needle
    not found whole (a hyphen split across lines, say) is found by its head and its tail."""
    found = _nth_find(flat, needle, nth)
    if found >= 0:
        return found, found + len(needle) - 1
    if len(needle) < 48:
        return None
    head, tail = needle[:24], needle[-24:]
    h = _nth_find(flat, head, nth)
    t = flat.find(tail, h + len(head)) if h >= 0 else -1
    if h < 0 or t < 0 or t - h > 2 * len(needle):
        return None
    return h, t + len(tail) - 1


def highlight_boxes(doc: dict, page: int, needle: str, nth: int = 0, db_path: str | Path | None = None) -> list[dict]:
    """Rectangles (fractions of the page: x, y from the top-left, w, h) covering the ``nth``
    occurrence of ``needle`` on the page; [] when it cannot be found. A page without a text
    layer is searched in Tesseract's words instead (when ``db_path`` gives a cache folder)."""
    flat_needle = _normalised(needle.strip())[0]
    if not flat_needle:
        return []
    path = check_pdf(doc)
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            if not 1 <= page <= len(pdf):
                return []
            pdf_page = pdf[page - 1]
            width, height = pdf_page.get_size()
            textpage = pdf_page.get_textpage()
            flat, index = _normalised(textpage.get_text_range())
            span = _locate(flat, flat_needle, nth)
            rects = []
            if span is not None:
                first, last = index[span[0]], index[span[1]]
                rects = [textpage.get_rect(i) for i in range(textpage.count_rects(first, last - first + 1))]
        finally:
            pdf.close()
    if span is None and len(flat.strip()) < MIN_TEXT_LAYER and db_path is not None:
        return ocr_boxes(db_path, doc, page, flat_needle, nth)
    return [
        {"x": left / width, "y": (height - top) / height, "w": (right - left) / width, "h": (top - bottom) / height}
        for left, bottom, right, top in rects
    ]


def _ocr_words(db_path: str | Path, doc: dict, page: int) -> list[list]:
    """Tesseract's words on the page image: [text, x, y, w, h (fractions), line id], cached as JSON."""
    target = cache_dir(db_path) / f"{doc['sha256']}-{int(page)}.words.json"
    if target.is_file():
        return json.loads(target.read_text(encoding="utf-8"))
    image_path = page_image(db_path, doc, page)
    try:
        import pytesseract
        from PIL import Image

        with Image.open(image_path) as image:
            width, height = image.size
            data = pytesseract.image_to_data(image, output_type=pytesseract.Output.DICT)
    except (ImportError, OSError, RuntimeError) as exc:  # no tesseract binary, or it failed
        raise PageUnavailable(f"cannot OCR the page to place the highlight ({exc.__class__.__name__})") from exc
    words = [
        [text, data["left"][i] / width, data["top"][i] / height, data["width"][i] / width,
         data["height"][i] / height, f"{data['block_num'][i]}.{data['par_num'][i]}.{data['line_num'][i]}"]
        for i, text in enumerate(data["text"]) if text.strip()
    ]
    temporary = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(json.dumps(words), encoding="utf-8")
    os.replace(temporary, target)
    return words


def ocr_boxes(db_path: str | Path, doc: dict, page: int, flat_needle: str, nth: int = 0) -> list[dict]:
    """One rectangle per OCR line covered by the ``nth`` occurrence of the (normalised) needle."""
    try:
        words = _ocr_words(db_path, doc, page)
    except PageUnavailable:
        return []  # the page is still shown, only without a box
    flat, owner = "", []
    for number, word in enumerate(words):
        piece = _normalised(word[0])[0]
        if flat:
            flat += " "
            owner.append(number)
        flat += piece
        owner.extend([number] * len(piece))
    span = _locate(flat, flat_needle, nth)
    if span is None:
        return []
    lines: dict[str, list] = {}
    for number in sorted(set(owner[span[0]: span[1] + 1])):
        lines.setdefault(words[number][5], []).append(words[number])
    boxes = []
    for members in lines.values():
        x0, y0 = min(w[1] for w in members), min(w[2] for w in members)
        x1, y1 = max(w[1] + w[3] for w in members), max(w[2] + w[4] for w in members)
        boxes.append({"x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0})
    return boxes


def _nth_find(haystack: str, needle: str, nth: int) -> int:
    found = haystack.find(needle)
    for _ in range(nth):
        if found < 0:
            break
        found = haystack.find(needle, found + 1)
    if found < 0 and nth:
        return haystack.find(needle)  # fewer occurrences in PDFium's text: show the first
    return found
