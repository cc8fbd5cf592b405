"""Ruling lines, rectangles and tables from PDFium's page objects.

The pdfplumber engine finds tables with pdfplumber's "lines" strategy: the edges of the
page's line, rectangle and curve objects (as pdfminer classifies painted paths) are snapped,
joined, intersected, and the intersections make cells; cells that share corners make a table
(a lone cell is not one). This module feeds the very same algorithm (``pdfplumber.table``'s
functions, reused) with edges read from PDFium's path objects, so the fast engine finds the
tables the reference engine finds without pdfminer parsing the page.

Decisions:
- Paths are classified as pdfminer does (``PDFPageAggregator.paint_path``): each subpath
  separately; ``m l`` is a line, a closed axis-aligned ``m l l l h`` a rectangle, anything
  else a curve whose consecutive end points give edges (Bézier control points dropped). A
  ``re`` in PDFium comes as ``m l l l l`` + close, which the same "drop a redundant l before
  h" rule turns into pdfminer's ``m l l l h``. Paths inside Form XObjects are read through
  the form's matrix, as pdfminer flattens forms.
- Objects whose bounds are under one point in both directions cannot give an edge the
  finder keeps (it drops edges under 1 pt before merging), so their segments are not read:
  charts and icons are made of thousands of such paths. In a path of over ``CURVE_HEAVY``
  segments that starts with curves (a drawing: logo, map, text set as outlines) only the
  subpaths without curves are read; this is the one place where the edges may differ from
  pdfplumber's (the straight pieces of curved subpaths are lost), for speed: such paths hold
  most segments of a designed page. A grid drawn as one long path of straight segments, or
  the boxes inside a drawing, are read as usual.
- As in ``plumber_page_words``, the finder runs only where the page has a line or a
  rectangle (a page of curves only is never searched), and a table whose cells are all
  empty is dropped.
- Cell texts are made as pdfplumber's ``Table.extract`` makes them (a character belongs to
  the cell holding its centre; ``pdfplumber.utils.extract_text`` joins a cell's characters),
  from PDFium's character boxes. Only the characters of the lines that cross a table are
  read one by one (per-character calls are the costly part of PDFium text).
"""

from __future__ import annotations

import ctypes
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from svmine.extract.layout import Table

MAX_FORM_DEPTH = 16  # forms inside forms: deeper nesting is hostile, not design
MIN_EXTENT = 1.0
# A path of more segments than this with a Bézier among its first 16 is a drawing (logo, map,
# chart, text set as outlines): only its straight subpaths are read (no points of its curved
# ones). On the real NHS PDFs such paths hold three quarters of all segments.
CURVE_HEAVY = 100  # pdfplumber's edge_min_length_prefilter: shorter edges never reach the finder


@dataclass
class PageGraphics:
    """What the page draws, read once from PDFium's page objects."""

    images: int = 0
    forms: int = 0
    image_cover: float = 0.0  # largest image's share of the page area
    lines: int = 0  # pdfminer "line" objects
    rects: int = 0  # pdfminer "rect" objects
    edges: list[dict] = field(default_factory=list)  # pdfplumber edge records, top-down coordinates
    spaces: list[tuple[float, float]] = field(default_factory=list)  # (x, y) of text PDFium drops, PDF space


class DroppedSpaces:
    """Where PDFium's text lost a space that pdfminer (and so pdfplumber) keeps.

    PDFium's text page skips every text object of zero width (``ProcessTextObject``), and a
    text object holding only a space is one: Word writes many lines one word per object with
    the spaces as objects of their own, and where the next word is kerned back over the
    space PDFium does not generate one either ("to them" comes out "tothem"; a dot leader
    sticks to its heading). The skipped objects are still page objects, so their origins
    say where a word must be cut.
    """

    def __init__(self, points: list[tuple[float, float]]):
        self.points = sorted((y, x) for x, y in points)
        self.ys = [p[0] for p in self.points]
        self._lines: dict[tuple[float, float], list[float]] = {}

    def __bool__(self) -> bool:
        return bool(self.points)

    def line(self, bottom: float, top: float) -> list[float]:
        """Sorted x of the dropped spaces on the line of a character box (PDF y, cached).

        A baseline sits in the lower part of a line's loose box (bottom = baseline +
        descent); the upper half can hold the baseline of the line above."""
        key = (bottom, top)
        xs = self._lines.get(key)
        if xs is None:
            lo, hi = bisect_left(self.ys, bottom), bisect_right(self.ys, bottom + 0.5 * (top - bottom))
            xs = self._lines[key] = sorted(x for _, x in self.points[lo:hi])
        return xs

    def between(self, bottom: float, top: float, x_from: float, x_to: float) -> list[float]:
        """x of dropped spaces in (x_from, x_to] on the line of a character box (PDF y)."""
        xs = self.line(bottom, top)
        if not xs:
            return xs
        return xs[bisect_right(xs, x_from):bisect_right(xs, x_to)]


def read_graphics(page, *, paths: bool = True, limit: int = 5000) -> PageGraphics:
    """Images and forms of a pypdfium2 page, and (``paths``) the edges of its painted paths.

    Images and forms are counted at the top level only (what decides OCR); paths are read
    inside forms too. At most ``limit`` objects are visited.
    """
    import pypdfium2.raw as raw

    width, height = page.get_size()
    out = PageGraphics()
    reader = _Reader(raw, height, max(1.0, width * height), out, paths)
    reader.walk(page.raw, raw.FPDFPage_CountObjects, raw.FPDFPage_GetObject, None, limit, 0)
    return out


class _Reader:
    def __init__(self, raw, height: float, page_area: float, out: PageGraphics, paths: bool):
        self.raw, self.height, self.page_area, self.out, self.paths = raw, height, page_area, out, paths
        self.box = [ctypes.c_float() for _ in range(4)]
        self.matrix = raw.FS_MATRIX()
        self.x, self.y = ctypes.c_float(), ctypes.c_float()
        self.xp, self.yp = ctypes.byref(self.x), ctypes.byref(self.y)
        self.seen = 0

    def walk(self, handle, count, get, parent, limit: int, depth: int) -> None:
        raw = self.raw
        for j in range(count(handle)):
            if self.seen >= limit:
                return
            self.seen += 1
            obj = get(handle, j)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                if self.paths:
                    self._path(obj, parent)
            elif kind == raw.FPDF_PAGEOBJ_TEXT:
                if self.paths:
                    self._text(obj, parent)
            elif kind == raw.FPDF_PAGEOBJ_IMAGE and parent is None:
                self.out.images += 1
                bounds = self._bounds(obj)
                if bounds is not None:
                    area = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1])
                    self.out.image_cover = max(self.out.image_cover, area / self.page_area)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                if parent is None:
                    self.out.forms += 1
                matrix = self._matrix(obj) if self.paths and depth < MAX_FORM_DEPTH else None
                if matrix is not None:
                    inner = matrix if parent is None else _compose(matrix, parent)
                    self.walk(obj, raw.FPDFFormObj_CountObjects, raw.FPDFFormObj_GetObject, inner, limit, depth + 1)

    def _bounds(self, obj):
        left, bottom, right, top = self.box
        if not self.raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
            return None
        return left.value, bottom.value, right.value, top.value

    def _matrix(self, obj):
        m = self.matrix
        if not self.raw.FPDFPageObj_GetMatrix(obj, ctypes.byref(m)):
            return None
        return (m.a, m.b, m.c, m.d, m.e, m.f)

    def _text(self, obj, parent) -> None:
        bounds = self._bounds(obj)
        if bounds is None or abs(bounds[2] - bounds[0]) >= 0.01:  # PDFium's kSizeEpsilon
            return
        matrix = self._matrix(obj)
        if matrix is not None:
            x, y = matrix[4], matrix[5]
            if parent is not None:
                a, b, c, d, e, f = parent
                x, y = a * x + c * y + e, b * x + d * y + f
            self.out.spaces.append((x, y))

    def _path(self, obj, parent) -> None:
        raw = self.raw
        bounds = self._bounds(obj)
        if bounds is None:
            return
        if parent is None and bounds[2] - bounds[0] < MIN_EXTENT and bounds[3] - bounds[1] < MIN_EXTENT:
            return
        matrix = self._matrix(obj)
        if matrix is None:
            return
        if parent is not None:
            matrix = _compose(matrix, parent)
        a, b, c, d, e, f = matrix
        x, y = self.x, self.y
        xp, yp, height = self.xp, self.yp, self.height
        get_segment, get_point = raw.FPDFPath_GetPathSegment, raw.FPDFPathSegment_GetPoint
        get_type, get_close = raw.FPDFPathSegment_GetType, raw.FPDFPathSegment_GetClose
        moveto, bezier = raw.FPDF_SEGMENT_MOVETO, raw.FPDF_SEGMENT_BEZIERTO
        count = raw.FPDFPath_CountSegments(obj)
        keep = None  # which segments to read, for a drawing (see CURVE_HEAVY): straight subpaths only
        if count > CURVE_HEAVY and any(get_type(get_segment(obj, i)) == bezier for i in range(min(count, 16))):
            kinds = [get_type(get_segment(obj, i)) for i in range(count)]
            keep = [False] * count
            start = 0
            for i in range(1, count + 1):
                if i == count or kinds[i] == moveto:
                    if bezier not in kinds[start:i]:
                        keep[start:i] = [True] * (i - start)
                    start = i
        shape: list[str] = []
        pts: list[tuple[float, float]] = []
        n_bezier = 0
        for i in range(count):
            if keep is not None and not keep[i]:
                continue
            seg = get_segment(obj, i)
            kind = get_type(seg)
            if kind == bezier:
                n_bezier += 1
                if n_bezier % 3:  # control points: pdfminer keeps only each curve's end point
                    continue
                op = "c"
            else:
                n_bezier = 0
                op = "m" if kind == moveto else "l"
            if op == "m" and shape:
                self._subpath(shape, pts)
                shape, pts = [], []
            get_point(seg, xp, yp)
            px, py = x.value, y.value
            pts.append((a * px + c * py + e, height - (b * px + d * py + f)))
            shape.append(op)
            if get_close(seg) and pts:
                shape.append("h")
                pts.append(pts[0])
        if shape:
            self._subpath(shape, pts)

    def _subpath(self, ops: list[str], pts: list[tuple[float, float]]) -> None:
        """pdfminer's classification of one subpath into a line, a rectangle or a curve."""
        shape = "".join(ops)
        if shape[:1] != "m":
            return
        if len(shape) > 3 and shape[-2:] == "lh" and pts[-2] == pts[0]:
            shape = shape[:-2] + "h"
            pts = pts[:-2] + pts[-1:]
        edges = self.out.edges
        if shape in ("mlh", "ml"):
            (x0, t0), (x1, t1) = pts[0], pts[1]
            left, right, top, bottom = min(x0, x1), max(x0, x1), min(t0, t1), max(t0, t1)
            self.out.lines += 1
            edges.append(_edge(left, right, top, bottom, "h" if top == bottom else "v"))
            return
        if shape in ("mlllh", "mllll"):
            (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = pts
            square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)
            if last == pts[0] and square:
                xs, ys = (x0, x1, x2, x3), (y0, y1, y2, y3)
                left, right, top, bottom = min(xs), max(xs), min(ys), max(ys)
                self.out.rects += 1
                edges.append(_edge(left, right, top, top, "h"))
                edges.append(_edge(left, right, bottom, bottom, "h"))
                edges.append(_edge(left, left, top, bottom, "v"))
                edges.append(_edge(right, right, top, bottom, "v"))
                return
        for (x0, t0), (x1, t1) in zip(pts, pts[1:]):
            orientation = "v" if x0 == x1 else ("h" if t0 == t1 else None)
            if orientation is not None:
                edges.append(_edge(min(x0, x1), max(x0, x1), min(t0, t1), max(t0, t1), orientation))


def _edge(x0: float, x1: float, top: float, bottom: float, orientation: str) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": orientation, "object_type": "edge"}


def _compose(inner: tuple, outer: tuple) -> tuple:
    """The matrix applying ``inner`` first, then ``outer`` (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = inner
    a2, b2, c2, d2, e2, f2 = outer
    return (a1 * a2 + b1 * c2, a1 * b2 + b1 * d2, c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2)


# ---------------------------------------------------------------- tables


def could_hold_table(graphics: PageGraphics) -> bool:
    """Cheap test before the finder: it needs a line or a rectangle, and cells need
    horizontal and vertical edges of at least one point."""
    if not (graphics.lines or graphics.rects):
        return False
    h = v = False
    for edge in graphics.edges:
        if edge["orientation"] == "h" and edge["width"] >= MIN_EXTENT:
            h = True
        elif edge["orientation"] == "v" and edge["height"] >= MIN_EXTENT:
            v = True
        if h and v:
            return True
    return False


def table_cells(graphics: PageGraphics) -> list[list[tuple]]:
    """Cell boxes of each table pdfplumber's default "lines" settings would find."""
    if not could_hold_table(graphics):
        return []
    from pdfplumber import table as pt
    from pdfplumber.utils import filter_edges

    settings = pt.TableSettings.resolve(None)
    v = filter_edges(graphics.edges, "v", min_length=settings.edge_min_length_prefilter)
    h = filter_edges(graphics.edges, "h", min_length=settings.edge_min_length_prefilter)
    edges = pt.merge_edges(v + h, settings.snap_x_tolerance, settings.snap_y_tolerance,
                           settings.join_x_tolerance, settings.join_y_tolerance)
    edges = filter_edges(edges, min_length=settings.edge_min_length)
    intersections = pt.edges_to_intersections(edges, settings.intersection_x_tolerance, settings.intersection_y_tolerance)
    return pt.cells_to_tables(intersections_to_cells(intersections))


def intersections_to_cells(intersections: dict) -> list[tuple]:
    """``pdfplumber.table.intersections_to_cells``, same result, without its quadratic cost:
    each point's edge boxes are made into sets once (not at every comparison), and the points
    below and to the right of a point come from its column and row, not a scan of all points."""
    sets = {p: ({(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["v"]},
                {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["h"]}) for p, d in intersections.items()}

    def connects(p1: tuple, p2: tuple) -> bool:
        if p1[0] == p2[0] and sets[p1][0] & sets[p2][0]:
            return True
        return p1[1] == p2[1] and bool(sets[p1][1] & sets[p2][1])

    points = sorted(intersections)
    columns: dict[float, list[tuple]] = {}
    rows: dict[float, list[tuple]] = {}
    for point in points:  # sorted by (x, y): a column's points by y, a row's by x
        columns.setdefault(point[0], []).append(point)
        rows.setdefault(point[1], []).append(point)
    cells = []
    for pt in points[:-1]:
        below = [q for q in columns[pt[0]] if q[1] > pt[1]]
        right = [q for q in rows[pt[1]] if q[0] > pt[0]]
        found = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if corner in sets and connects(corner, right_pt) and connects(corner, below_pt):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            cells.append(found)
    return cells


def find_tables(graphics: PageGraphics, chars_in) -> list[Table]:
    """Tables (bbox and rows of cell texts) from PDFium's edges.

    ``chars_in(boxes)`` returns pdfplumber-style character records (text, x0, x1, top,
    bottom, upright) for the characters that may lie in those table boxes (top-down
    coordinates); it is called only when the page holds a table.
    """
    groups = table_cells(graphics)
    if not groups:
        return []
    from pdfplumber.table import Table as PlumberTable

    tables = [PlumberTable(None, cells) for cells in groups]
    chars = chars_in([t.bbox for t in tables])
    # pdfplumber's Table.extract tests every character against every row and cell; with the
    # characters sorted by their vertical centre a row takes one bisection instead
    centred = sorted((((c["top"] + c["bottom"]) / 2, (c["x0"] + c["x1"]) / 2, i, c) for i, c in enumerate(chars)), key=lambda t: t[0])
    mids = [t[0] for t in centred]
    out = []
    for table in tables:
        rows = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            row_chars = [t for t in centred[bisect_left(mids, top):bisect_left(mids, bottom)] if x0 <= t[1] < x1]
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                cell_chars = sorted((t for t in row_chars if cx0 <= t[1] < cx1 and ctop <= t[0] < cbottom), key=lambda t: t[2])
                texts.append(extract_text([t[3] for t in cell_chars]) if cell_chars else "")
            rows.append(texts)
        if any(any(c and c.strip() for c in row) for row in rows):
            out.append(Table(tuple(table.bbox), rows))
    return out


LIGATURES = {"\ufb00": "ff", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb01": "fi", "\ufb02": "fl", "\ufb06": "st", "\ufb05": "st"}
TOLERANCE = 3  # pdfplumber's default x_tolerance and y_tolerance


def _clusters(objs: list[dict], tolerance: float) -> list[list[dict]]:
    """``pdfplumber.utils.cluster_objects(objs, "top", tolerance)``: tops chained within the
    tolerance make one cluster; clusters top-down, objects in their input order."""
    ids: dict[float, int] = {}
    last, cid = None, -1
    for value in sorted({o["top"] for o in objs}):
        if last is None or value > last + tolerance:
            cid += 1
        ids[value] = cid
        last = value
    groups: list[list[dict]] = [[] for _ in range(cid + 1)]
    for o in objs:
        groups[ids[o["top"]]].append(o)
    return groups


def extract_text(chars: list[dict]) -> str:
    """``pdfplumber.utils.extract_text(chars)`` with its default settings (upright text, left
    to right, tolerances 3, ligatures expanded), written for speed; the tests hold the two
    to the same output."""
    words: list[dict] = []

    def flush(current: list[dict]) -> None:
        if current:
            words.append({"text": "".join(LIGATURES.get(c["text"], c["text"] or "") for c in current),
                          "top": min(c["top"] for c in current)})

    for line in _clusters(chars, TOLERANCE):
        line.sort(key=lambda c: c["x0"])
        current: list[dict] = []
        for c in line:
            if c["text"].isspace():
                flush(current)
                current = []
            elif current and (c["x0"] < current[-1]["x0"] or c["x0"] > current[-1]["x1"] + TOLERANCE
                              or abs(c["top"] - current[-1]["top"]) > TOLERANCE):
                flush(current)
                current = [c]
            else:
                current.append(c)
        flush(current)
    return "\n".join(" ".join(w["text"] for w in line) for line in _clusters(words, TOLERANCE))


def _char(text: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top, "upright": True,
            "width": x1 - x0, "height": bottom - top}


def table_chars(handle, text: str, height: float, spans: list[tuple], boxes: list[tuple], font_size,
                dropped: DroppedSpaces | None = None) -> list[dict]:
    """Character records of the PDFium tokens whose line crosses a table box.

    ``spans`` holds each token's (start, stop, top, bottom) from the word pass, in PDF
    coordinates; ``font_size(index, rect)`` gives the size of a character whose loose box
    is in ``rect``. A character's top is
    its bottom less its size, as pdfminer measures it (PDFium's box top follows the font's
    ascent). Whitespace PDFium generated (for a gap, or a line end) is left out: pdfplumber
    splits words by the gap itself, and only spaces written in the PDF split them whatever
    the gap.
    """
    import pypdfium2.raw as raw

    ranges = [(height - b[3], height - b[1]) for b in boxes]  # PDF y ranges of the tables
    rect = raw.FS_RECTF()
    box = ctypes.byref(rect)
    get_box, generated = raw.FPDFText_GetLooseCharBox, raw.FPDFText_IsGenerated
    chars: list[dict] = []
    after = None  # end of the previous token, when it was read too: the whitespace between counts
    prev = None  # the previous character on the same line
    space = False  # a space written in the PDF waits before the next character
    for start, stop, top, bottom in spans:
        if not any(bottom < hi and top > lo for lo, hi in ranges):
            after = prev = None
            space = False
            continue
        for i in range(start if after is None else after, stop):
            ch = text[i]
            if ch in "\r\n":  # PDFium's own line breaks: the line is decided by position
                continue
            if ch.isspace():
                space = space or generated(handle, i) != 1
                continue
            if ch in "\ufffe\x02":
                ch = "-"
            if not get_box(handle, i, box):
                continue
            size = font_size(i, rect)
            bot = height - rect.bottom
            x0 = rect.left
            same_line = prev is not None and abs(prev["bottom"] - bot) < 1
            if space or (same_line and dropped and dropped.between(rect.bottom, rect.top, prev["x0"], x0 + 0.01)):
                # a zero-width space just before the character: it ends the word, as
                # pdfplumber's space characters do, and sorts between the two characters
                chars.append(_char(" ", x0 - 1e-6, x0 - 1e-6, bot - size, bot))
            space = False
            prev = _char(ch, x0, rect.right, bot - size, bot)
            chars.append(prev)
        after = stop
    return chars


__all__ = ["DroppedSpaces", "PageGraphics", "could_hold_table", "extract_text", "find_tables", "intersections_to_cells", "read_graphics", "table_cells", "table_chars"]
