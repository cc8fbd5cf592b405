"""Words from PDFium's text page: the word builder of the ``pdfium`` engine (and of ``auto``).

pdfplumber's words are the reference (``plumber_page_words`` in ``svmine.extract.pdf``); this
module reaches the same words with as few PDFium calls as it can, since the calls are the cost.
Boxes are in PDF coordinates (y up) while reading, turned into top-down ``Word`` boxes at the end.
"""

from __future__ import annotations

import ctypes
import math
import re
from typing import NamedTuple

from svmine.extract.layout import PageWords, Table, Word
from svmine.extract.pdfium_tables import DroppedSpaces, PageGraphics, could_hold_table, find_tables, table_chars

_TOKEN = re.compile(r"[^\s\ufffe\x02]+[\ufffe\x02]?|[\ufffe\x02]")
_BAD_CHARS = re.compile(r"[\ufffd\ue000-\uf8ff]")
# Tokens where a gap without a space char (or a superscript) is likely: numbering ("10.The"),
# footnote marks ("care1"), dot leaders. Only these pay for per-character boxes.
_SUSPECT = re.compile(r"\d|\.\.|[.:;)\]][^\W\d_]|[a-z][A-Z]")


class _Token(NamedTuple):
    """A token of PDFium's text, from its first character's box (PDF coordinates)."""

    text: str
    start: int  # index of its first character in the page text
    end: int  # index of its last character (inclusive)
    x0: float
    top: float
    bottom: float
    size: float


# One character's loose box and font size: a Word's fields, but in PDF coordinates (y up) until
# ``emit`` turns a run of them into a top-down Word.
_Char = Word


def pdfium_words(page, graphics: PageGraphics | None = None, *, tables_if_suspect: bool = True) -> tuple[PageWords, bool]:
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
    prev: _Token | None = None  # the previous token, waiting for its x1
    for m in _TOKEN.finditer(text):
        start, stop = m.span()
        if not get_box(handle, start, box):
            continue
        x0, top, bot = rect.left, rect.top, rect.bottom
        if spans is not None:
            spans.append((start, stop, top, bot))
        if top != last_top:  # font size changes are rare inside a line: ask once per line
            last_top, size = top, sizes.of(start, rect)
        if prev is not None and dropped and _cut_dropped(handle, text, prev, x0 if top == prev.top else math.inf, height, dropped, words, rect, box, sizes):
            prev = None
        if prev is not None:
            p = prev
            if top == p.top and start == p.end + 2 and text[p.end + 1] == " " and p.x0 < x0 < p.x0 + (len(p.text) + 1) * p.size:
                words.append(Word(p.text, p.x0, height - p.top, x0 - 0.25 * p.size, height - p.bottom, p.size))
            else:
                _finish_word(handle, text, prev, height, words, rect, box)
        token = text[start:stop]
        if stop - start > 1 and _SUSPECT.search(token):
            cuts = dropped.between(bot, top, x0, math.inf) if dropped else ()
            words.extend(_split_by_chars(handle, text, start, stop, height, cuts, sizes))
            prev = None
            continue
        prev = _Token(token, start, stop - 1, x0, top, bot, size)
    if prev is not None and dropped and _cut_dropped(handle, text, prev, math.inf, height, dropped, words, rect, box, sizes):
        prev = None
    if prev is not None:
        _finish_word(handle, text, prev, height, words, rect, box)
    return words


def _cut_dropped(handle, text: str, tok: _Token, limit: float, height: float, dropped: DroppedSpaces, words: list[Word], rect, box,
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


def _finish_word(handle, text: str, tok: _Token, height: float, words: list[Word], rect, box) -> None:
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
    current: list[_Char] = []

    def emit() -> None:
        if current:
            top = max(c.top for c in current)
            bot = min(c.bottom for c in current)
            out.append(Word("".join(c.text for c in current), current[0].x0, height - top, current[-1].x1, height - bot,
                            current[0].size))
            current.clear()

    for i in range(start, stop):
        if not raw.FPDFText_GetLooseCharBox(handle, i, box):
            continue
        char = _Char(text[i], rect.left, rect.top, rect.right, rect.bottom, sizes.of(i, rect))
        if current:
            prev = current[-1]
            line = max(1.0, prev.top - prev.bottom)
            gap = char.x0 - prev.x1
            # pdfplumber's own word rule: a character left of the previous one's start, or more
            # than 3 pt after its end, starts a new word (tight letter-spacing overlaps freely)
            if (abs(prev.top - char.top) > 0.5 * line or char.x0 < prev.x0 or gap > 3 or char.size != prev.size
                    or any(prev.x0 < cut <= char.x0 + 0.01 for cut in cuts)):
                emit()
        current.append(char)
    emit()
    return out
