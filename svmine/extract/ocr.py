"""OCR of scanned PDF pages with Tesseract.

Decisions: pages are rendered by PDFium at 300 dpi in greyscale (Tesseract's sweet spot for
body text) and read with ``image_to_data`` so OCR words come with boxes and go through the
same layout code as text-layer words (columns, headers, paragraphs). Tesseract is called
through pytesseract (a subprocess), with a time limit per page. Where the ``tesseract``
binary is missing the page is flagged ``needs_ocr`` and the warning says how to install it.
"""

from __future__ import annotations

import os
import shutil
import statistics

from svmine.extract.layout import PageWords, Word, group_rows

DPI = 300
PAGE_TIMEOUT = 180  # seconds for one page
INSTALL_HINT = (
    "Tesseract is not installed; install it with 'sudo apt-get install tesseract-ocr' "
    "(Debian/Ubuntu) or 'brew install tesseract' (macOS)"
)


class OcrError(Exception):
    pass


def unavailable_reason() -> str | None:
    """None when OCR can run, else a one-line reason with the install command."""
    if shutil.which("tesseract") is None:
        return INSTALL_HINT
    try:
        import pytesseract  # noqa: F401
    except ImportError:
        return "the Python package pytesseract is missing; run 'pip install pytesseract'"
    return None


def ocr_page(page) -> PageWords:
    """OCR one pypdfium2 page; words in points, top-down, like the text-layer engines."""
    import pytesseract

    # Tesseract's OpenMP threads only fight each other when pages or files run in parallel
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    scale = DPI / 72
    width, height = page.get_size()
    image = page.render(scale=scale, grayscale=True).to_pil()
    try:
        data = pytesseract.image_to_data(
            image, lang="eng", config="--psm 3", output_type=pytesseract.Output.DICT, timeout=PAGE_TIMEOUT
        )
    except RuntimeError as exc:  # pytesseract raises RuntimeError on its timeout
        raise OcrError(str(exc) or "Tesseract timed out") from exc
    except pytesseract.TesseractError as exc:
        raise OcrError(str(exc).splitlines()[0] if str(exc) else "Tesseract failed") from exc
    finally:
        image.close()
    return PageWords(_words(data, scale), width, height)


def _words(data: dict, scale: float) -> list[Word]:
    boxes = [
        (text.strip(), left / scale, top / scale, (left + w) / scale, (top + h) / scale)
        for text, left, top, w, h, conf in zip(
            data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"]
        )
        if text and text.strip() and float(conf) >= 0
    ]
    if not boxes:
        return []
    size = _font_size([Word(t, a, b, c, d, 0.0) for t, a, b, c, d in boxes])
    return [Word(t, a, b, c, d, size) for t, a, b, c, d in boxes]


def _font_size(words: list[Word]) -> float:
    """OCR boxes have no font size: estimate one from the line pitch (pitch ≈ 1.2 × size).

    Every OCR word gets the same size, so paragraph breaks come from vertical gaps only.
    """
    rows = group_rows(words)
    tops = [min(w.top for w in row) for row in rows]
    pitches = [b - a for a, b in zip(tops, tops[1:]) if b > a]
    if pitches:
        return round(statistics.median(pitches) / 1.2, 1)
    return round(statistics.median(w.bottom - w.top for w in words), 1)
