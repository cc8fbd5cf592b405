"""Page layout from word boxes: reading order, columns, running headers, paragraphs, tables.

Every PDF engine (pdfplumber, PDFium) and OCR hands this module the same thing, a list of
``Word`` boxes in top-down page coordinates, so the page text depends on geometry only and
the engines agree.

Decisions:
- Columns are found from a vertical strip (at least ``MIN_GUTTER`` points wide, in the middle
  60% of the text block) that almost no word crosses, with enough words on each side that sit
  side by side on the same rows. Rows that do cross the gutter (titles, full-width figures
  captions, tables) cut the page into bands; inside a band the left column is read before
  the right one. Each side is split again, so three columns work too.
- A paragraph ends where the gap to the next line is clearly larger than the line's own size,
  where the font size changes (headings), or after a short line ending a sentence.
- Running headers and footers: the top two and bottom two rows of each page, compared with
  digits ignored ("Page 3 of 40" ≡ "Page 4 of 40"); a row seen on at least half the pages
  (and at least two) is removed from the text and kept in ``Page.headers``.
- Tables are given as (bbox, rows); words inside a table box are dropped from the flow and
  the table is read once, row by row, cells joined by " | ", placed where the table stands.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from svmine.extract.normalize import join_lines, join_paragraphs, normalize_text

MIN_GUTTER = 7.0  # points; word spaces are ~3 pt, column gutters 12 pt or more
HEADER_ROWS = 2
HEADER_ZONE = 0.18  # fraction of the page height at top and bottom where running lines live


class Word(NamedTuple):
    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


class Table(NamedTuple):
    bbox: tuple[float, float, float, float]  # x0, top, x1, bottom
    rows: list[list[str | None]]


class PageWords(NamedTuple):
    """What an engine found on one page, before composition."""

    words: list[Word]
    width: float
    height: float
    tables: list[Table] = []


# ---------------------------------------------------------------- rows and lines


def group_rows(words: list[Word]) -> list[list[Word]]:
    """Cluster words into rows by vertical centre; rows sorted top-down, words left-right."""
    if not words:
        return []
    ordered = sorted(words, key=lambda w: (w.top + w.bottom, w.x0))
    rows: list[list[Word]] = []
    current = [ordered[0]]
    anchor = (ordered[0].top + ordered[0].bottom) / 2
    anchor_height = ordered[0].bottom - ordered[0].top
    for word in ordered[1:]:
        mid = (word.top + word.bottom) / 2
        height = word.bottom - word.top
        tolerance = 0.45 * (height if height < anchor_height else anchor_height)
        if mid - anchor <= (tolerance if tolerance > 0.45 else 0.45):
            current.append(word)
        else:
            rows.append(current)
            current, anchor, anchor_height = [word], mid, height
    rows.append(current)
    for row in rows:
        row.sort(key=lambda w: w.x0)
    return rows


def row_text(row: list[Word]) -> str:
    return normalize_text(" ".join(w.text for w in row)).strip()


def _row_key(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower()).strip()


# ---------------------------------------------------------------- running headers/footers


def running_keys(edges: list[list[list[Word]]]) -> set[str]:
    """Keys (digits masked) of rows repeated at the top/bottom of most pages.

    ``edges`` holds each page's ``edge_rows``."""
    if len(edges) < 2:
        return set()
    counts: Counter[str] = Counter()
    for rows in edges:
        counts.update({_row_key(row_text(r)) for r in rows})
    needed = max(2, (len(edges) + 1) // 2)
    return {key for key, n in counts.items() if key and n >= needed}


def edge_rows(page: PageWords) -> list[list[Word]]:
    """The candidate running rows of a page: top and bottom rows inside the header zones."""
    rows = group_rows(page.words)
    top_zone, bottom_zone = page.height * HEADER_ZONE, page.height * (1 - HEADER_ZONE)
    top = [r for r in rows[:HEADER_ROWS] if r[0].bottom <= top_zone]
    bottom = [r for r in rows[-HEADER_ROWS:] if r[0].top >= bottom_zone]
    return top + [r for r in bottom if r not in top]


def strip_running(page: PageWords, keys: set[str], edges: list[list[Word]]) -> tuple[list[Word], list[str]]:
    """Words of the page without its running rows (``edges`` = its ``edge_rows``), and those rows' texts."""
    if not keys:
        return page.words, []
    removed: list[str] = []
    drop: set[int] = set()
    for row in edges:
        text = row_text(row)
        if _row_key(text) in keys:
            removed.append(text)
            drop.update(id(w) for w in row)
    return [w for w in page.words if id(w) not in drop], removed


# ---------------------------------------------------------------- composition


def compose(page: PageWords, words: list[Word] | None = None) -> tuple[str, bool]:
    """Page text in reading order, and whether more than one column was found."""
    words = page.words if words is None else words
    items: list[tuple[float, str]] = []  # (top, paragraph text) for tables
    if page.tables:
        words = [w for w in words if not _in_any(w, page.tables)]
        items = [(t.bbox[1], table_text(t.rows)) for t in page.tables]
    blocks, multi = _order(words, [top for top, _ in items])
    paragraphs: list[str] = []
    table_iter = iter(sorted(items))
    pending = next(table_iter, None)
    for block in blocks:
        if isinstance(block, float):  # a table's slot in the reading order
            if pending is not None:
                paragraphs.append(pending[1])
                pending = next(table_iter, None)
            continue
        paragraphs.extend(block_paragraphs(block))
    while pending is not None:
        paragraphs.append(pending[1])
        pending = next(table_iter, None)
    return join_paragraphs(paragraphs), multi


def _in_any(word: Word, tables: list[Table]) -> bool:
    cx, cy = (word.x0 + word.x1) / 2, (word.top + word.bottom) / 2
    return any(t.bbox[0] <= cx <= t.bbox[2] and t.bbox[1] <= cy <= t.bbox[3] for t in tables)


def table_text(rows: list[list[str | None]]) -> str:
    lines = []
    for row in rows:
        cells = [join_lines(normalize_text(c).split("\n")) for c in row if c and c.strip()]
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _order(words: list[Word], table_tops: list[float], depth: int = 0) -> tuple[list, bool]:
    """Blocks (lists of rows) in reading order; floats in the result mark table slots."""
    rows = group_rows(words)
    gutter = find_gutter(words, rows) if depth < 2 else None
    slots = sorted(table_tops)
    out: list = []
    if gutter is None:
        current: list[list[Word]] = []
        for row in rows:
            while slots and slots[0] <= row[0].top:
                if current:
                    out.append(current)
                    current = []
                out.append(float(slots.pop(0)))
            current.append(row)
        if current:
            out.append(current)
        out.extend(float(s) for s in slots)
        return out, False

    left: list[Word] = []
    right: list[Word] = []
    span: list[list[Word]] = []

    def flush_columns() -> None:
        for side in (left, right):
            if side:
                out.extend(_order(list(side), [], depth + 1)[0])
                side.clear()

    def flush_span() -> None:
        if span:
            out.append(list(span))
            span.clear()

    for row in rows:
        while slots and slots[0] <= row[0].top:
            flush_columns()
            flush_span()
            out.append(float(slots.pop(0)))
        if any(w.x0 < gutter < w.x1 for w in row):
            flush_columns()
            span.append(row)
            continue
        flush_span()
        for w in row:
            (left if w.x1 <= gutter else right).append(w)
    flush_columns()
    flush_span()
    out.extend(float(s) for s in slots)
    return out, True


def find_gutter(words: list[Word], rows: list[list[Word]]) -> float | None:
    """x of a column gutter, or None for a single-column block."""
    if len(words) < 12 or len(rows) < 4:
        return None
    lo, hi = words[0].x0, words[0].x1
    for _, x0, _, x1, _, _ in words:
        if x0 < lo:
            lo = x0
        if x1 > hi:
            hi = x1
    width = hi - lo
    if width < 150:
        return None
    start, stop = int(lo + 0.2 * width), int(hi - 0.2 * width)
    diff = [0] * (stop - start + 2)
    for row in rows:  # each row counts once per x it covers: merge its word intervals first
        a_prev = b_prev = start - 2
        for _, x0, _, x1, _, _ in row:
            a, b = int(x0), int(x1)
            if a < start:
                a = start
            if b > stop:
                b = stop
            if a > b:
                continue
            if a <= b_prev + 1:
                if b > b_prev:
                    b_prev = b
                continue
            if b_prev >= start:
                diff[a_prev - start] += 1
                diff[b_prev - start + 1] -= 1
            a_prev, b_prev = a, b
        if b_prev >= start:
            diff[a_prev - start] += 1
            diff[b_prev - start + 1] -= 1
    cover, running = [], 0
    for d in diff[:-1]:
        running += d
        cover.append(running)
    tolerance = max(1, len(rows) // 8)
    best: tuple[int, int, int] | None = None  # (-run width, first, last)
    run_start = None
    for i, c in enumerate(cover + [tolerance + 1]):
        if c <= tolerance and run_start is None:
            run_start = i
        elif c > tolerance and run_start is not None:
            if i - run_start >= MIN_GUTTER and (best is None or i - run_start > -best[0]):
                best = (-(i - run_start), run_start, i - 1)
            run_start = None
    if best is None:
        return None
    gutter = start + (best[1] + best[2]) / 2
    return gutter if _side_by_side(rows, gutter) else None


def _side_by_side(rows: list[list[Word]], gutter: float) -> bool:
    """Columns, not an indent: several rows have words on both sides of the gutter."""
    left = right = both = 0
    for row in rows:
        has_left = any(w.x1 <= gutter for w in row)
        has_right = any(w.x0 >= gutter for w in row)
        left += has_left
        right += has_right
        both += has_left and has_right
    return both >= 3 and left >= 3 and right >= 3


def block_paragraphs(rows: list[list[Word]]) -> list[str]:
    """Paragraph texts of one column block (rows already top-down)."""
    if not rows:
        return []
    feats = []  # (text, bottom, size, last x1, last word)
    for row in rows:
        text = row_text(row)
        if text:
            # bottoms, not tops: both engines put a glyph's bottom at baseline + descent, while
            # PDFium's top follows each font's ascent (bold headings would measure differently)
            feats.append((text, max(w.bottom for w in row), max(w.size for w in row), row[-1].x1, row[-1].text))
    if not feats:
        return []
    right_edge = max(w.x1 for row in rows for w in row)
    left_edge = min(w.x0 for row in rows for w in row)
    width = max(1.0, right_edge - left_edge)
    paragraphs: list[list[str]] = [[feats[0][0]]]
    for prev, cur in zip(feats, feats[1:]):
        if _breaks(prev, cur, right_edge, width):
            paragraphs.append([])
        paragraphs[-1].append(cur[0])
    return [join_lines(p) for p in paragraphs]


def _breaks(prev: tuple, cur: tuple, right_edge: float, width: float) -> bool:
    size_prev, size_cur = prev[2], cur[2]
    if abs(size_prev - size_cur) > 0.6:
        return True
    pitch = cur[1] - prev[1]
    if pitch > 1.55 * max(size_prev, 1.0) or pitch < 0:
        return True
    ends_sentence = prev[4].rstrip("\"')]").endswith((".", ":", "!", "?"))
    short = prev[3] < right_edge - 0.25 * width
    return ends_sentence and short
