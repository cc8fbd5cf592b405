"""DOCX, HTML and plain text: formats without printed pages.

Decisions:
- DOCX: one logical page per section (``page_unit="section"``), because Word's page breaks
  depend on the printer; paragraphs and tables are read in body order, a table row becomes
  one line with cells joined by " | " (merged cells once). Section headers and footers go
  to ``Page.headers``, like running PDF headers.
- HTML: the whole document is page 1 (``page_unit="document"``), parsed with lxml, or with
  html5lib when lxml stops early on deep nesting (``_parse_html``); script,
  style, noscript, template, nav, header, footer, aside, form and hidden elements are
  skipped; block elements end paragraphs, table rows become " | "-joined lines.
- Plain text: page 1; see ``decode_text`` for the encoding: UTF-8 or cp1252 (what Windows
  tools write in the UK) unless the bytes say otherwise; charset-normalizer only for other
  scripts. Hard-wrapped lines are re-flowed into paragraphs and transcript timestamps are
  taken out of the text (``svmine.extract.normalize.reflow``).
"""

from __future__ import annotations

import re
from pathlib import Path

from svmine.errors import CorruptFileError, ExtractionError
from svmine.extract.normalize import join_lines, join_paragraphs, normalize_text, reflow
from svmine.model import FLAG_LOGICAL_PAGE, METHOD_STRUCTURED, TRUNCATED_WARNING, Page

# ---------------------------------------------------------------- DOCX


def extract_docx(path: Path) -> tuple[list[Page], dict, list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise CorruptFileError(f"damaged DOCX file ({exc.__class__.__name__})", str(path)) from None
    except Exception as exc:  # noqa: BLE001 - lxml/zip errors on broken packages
        raise CorruptFileError(f"damaged DOCX file ({exc.__class__.__name__})", str(path)) from None
    sections = _docx_sections(document)
    headers = _docx_headers(document)
    pages = []
    for i, paragraphs in enumerate(sections, start=1):
        page_headers = headers[i - 1] if i - 1 < len(headers) else []
        pages.append(Page(i, join_paragraphs(paragraphs), METHOD_STRUCTURED, [FLAG_LOGICAL_PAGE], "docx", page_headers))
    return pages, _docx_metadata(document), []


def _docx_sections(document) -> list[list[str]]:
    from docx.oxml.ns import qn

    sections: list[list[str]] = [[]]
    _docx_blocks(document.element.body, sections)
    if len(sections) > 1 and not sections[-1]:
        sections.pop()
    return sections


def _docx_blocks(container, sections: list[list[str]]) -> None:
    """Paragraphs and tables of a body (or a content control inside it), in order."""
    from docx.oxml.ns import qn

    for child in container.iterchildren():
        if child.tag == qn("w:sdt"):  # content controls wrap e.g. a table of contents
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                _docx_blocks(content, sections)
        elif child.tag == qn("w:p"):
            text = _docx_paragraph_text(child)
            if text:
                sections[-1].append(text)
            if child.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
                sections.append([])
        elif child.tag == qn("w:tbl"):
            table = _docx_table_text(child)
            if table:
                sections[-1].append(table)


def _docx_paragraph_text(element) -> str:
    from docx.oxml.ns import qn

    parts = []
    for node in element.iter(qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")):
        parts.append((node.text or "") if node.tag == qn("w:t") else " ")
    return normalize_text("".join(parts)).strip()


def _docx_table_text(element) -> str:
    from docx.oxml.ns import qn

    lines = []
    for row in element.iterchildren(qn("w:tr")):  # nested tables are read inside their cell
        cells = []
        for cell in row.iterchildren(qn("w:tc")):
            # a vertically merged continuation cell repeats nothing: skip it
            merge = cell.find(f"{qn('w:tcPr')}/{qn('w:vMerge')}")
            if merge is not None and merge.get(qn("w:val")) in (None, "continue"):
                continue
            text = join_lines([_docx_paragraph_text(p) for p in cell.iter(qn("w:p"))])
            if text:
                cells.append(text)
        if cells:
            lines.append(" | ".join(cells))
    return "\n".join(lines)


def _docx_headers(document) -> list[list[str]]:
    out = []
    for section in document.sections:
        texts = []
        for part in (section.header, section.footer):
            try:
                if part.is_linked_to_previous and out:
                    texts.extend(t for t in out[-1] if t not in texts)
                    continue
                texts.extend(_docx_paragraph_text(p._p) for p in part.paragraphs if p.text.strip())
            except Exception:  # noqa: BLE001 - headers are metadata only
                continue
        out.append([t for t in texts if t])
    return out


def _docx_metadata(document) -> dict:
    props = document.core_properties
    out = {}
    for name, value in (("title", props.title), ("author", props.author), ("created", props.created), ("modified", props.modified)):
        if value:
            out[name] = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return out


# ---------------------------------------------------------------- HTML

_SKIP = {"script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form", "svg", "iframe", "button", "select"}
_BLOCK = {
    "p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "table", "figure", "figcaption", "address", "hr", "body", "caption",
}  # fmt: skip
# Tables inside table cells are read row by row to this depth (each level is a Python call);
# deeper ones are read as plain blocks, so a page of thousands of nested tables keeps its text.
_MAX_TABLE_NESTING = 50


def extract_html(path: Path) -> tuple[list[Page], dict, list[str]]:
    raw = path.read_bytes()
    return html_pages(raw, str(path))


def html_pages(raw: bytes, name: str) -> tuple[list[Page], dict, list[str]]:
    root, warnings = _parse_html(raw, name)
    metadata = {}
    title = root.findtext(".//title")
    if title and title.strip():
        metadata["title"] = normalize_text(title).strip()
    author = next((m.get("content") for m in root.iter("meta") if m.get("name") == "author"), None)
    if author:
        metadata["author"] = normalize_text(author).strip()
    body = root.find("body")
    paragraphs: list[str] = []
    _HtmlWalker(paragraphs).walk(body if body is not None else root)
    text = join_paragraphs(paragraphs)
    return [Page(1, text, METHOD_STRUCTURED, [FLAG_LOGICAL_PAGE], "html", [])], metadata, warnings


def _parse_html(raw: bytes, name: str):
    """(root element, warnings): libxml2 first, html5lib when libxml2 stops early.

    libxml2 stops at a nesting depth of 256 (2,048 with ``huge_tree``) and keeps what it read so
    far, without raising: legacy pages with hundreds of unclosed ``<font>`` or ``<div>`` tags lost
    everything after that point. Its error log says so (a FATAL entry); then the page is parsed
    again with html5lib (the WHATWG algorithm, no depth limit; pure Python, and its time grows
    with the depth: about 1 s for 5,000 unclosed ``<font>``, 10 s for 20,000, so it runs only
    when needed). Both give ElementTree-style elements, which is all the walker uses. If that fails too, the
    part libxml2 read is kept and the document carries a ``text truncated`` warning.
    """
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(raw, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"HTML cannot be parsed ({exc})", name) from None
    fatal = [e for e in parser.error_log if e.level_name == "FATAL"]
    if not fatal:
        return root, []
    try:
        import html5lib

        # xml.etree, not lxml: lxml checks the whole ancestor chain on every append
        return html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False).parse(raw), []
    except Exception as exc:  # noqa: BLE001 - keep what libxml2 read, and say it is partial
        where = f"line {fatal[0].line}, column {fatal[0].column}"
        reason = f"{fatal[0].message.split(',')[0]}; html5lib failed too ({type(exc).__name__})"
        return root, [f"{TRUNCATED_WARNING}: the HTML parser stopped at {where} ({reason})"]


class _HtmlWalker:
    """Text of an element tree, paragraph by paragraph, without recursion (pages nest thousands
    of unclosed tags deep)."""

    def __init__(self, out: list[str], tables: int = 0):
        self.out = out
        self.buffer: list[str] = []
        self.tables = tables  # tables this walker is inside (each cell gets its own walker)

    def flush(self) -> None:
        text = normalize_text(" ".join(self.buffer)).strip()
        if text:
            self.out.append(join_lines(text.split("\n")))
        self.buffer = []

    def walk(self, element) -> None:
        stack = [(element, False)]
        while stack:
            element, closing = stack.pop()
            tag = (element.tag if isinstance(element.tag, str) else "").lower()
            if closing:
                if tag in _BLOCK:
                    self.flush()
                self._tail(element)
                continue
            if tag in _SKIP or element.get("hidden") is not None or element.get("aria-hidden") == "true":
                self._tail(element)
                continue
            if "display:none" in (element.get("style") or "").replace(" ", ""):
                self._tail(element)
                continue
            if tag == "table" and self.tables < _MAX_TABLE_NESTING:  # a row a line, like PDF and DOCX tables
                self.flush()
                # rows of this table only: a nested table is read inside its cell
                rows = [_html_row(tr, self.tables + 1) for tr in _table_rows(element)]
                text = "\n".join(r for r in rows if r)
                if text:
                    self.out.append(text)
                self._tail(element)
                continue
            if tag in _BLOCK:
                self.flush()
            if tag == "br":
                self.buffer.append("\n")
            if element.text and tag:
                self.buffer.append(element.text)
            stack.append((element, True))
            stack.extend((child, False) for child in reversed(element))

    def _tail(self, element) -> None:
        if element.tail:
            self.buffer.append(element.tail)


def _table_rows(table) -> list:
    """The ``tr`` elements of this table, not of the tables nested in its cells."""
    rows, stack = [], list(reversed(table))
    while stack:
        element = stack.pop()
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if tag == "tr":
            rows.append(element)
        elif tag != "table":
            stack.extend(reversed(element))
    return rows


def _html_row(tr, tables: int) -> str:
    cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
    return " | ".join(t for t in (_html_cell(c, tables) for c in cells) if t)


def _html_cell(cell, tables: int) -> str:
    parts: list[str] = []
    walker = _HtmlWalker(parts, tables)
    if cell.text:
        walker.buffer.append(cell.text)
    for child in cell:
        walker.walk(child)
    walker.flush()
    return " ".join(p.replace("\n", " ") for p in parts)


# ---------------------------------------------------------------- plain text


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding name) of a text file's bytes.

    In order: a byte-order mark (UTF-8, UTF-32, UTF-16); strict UTF-8; UTF-8 with a few broken
    bytes (at least as many valid multi-byte sequences as invalid bytes: a UTF-8 file with damage, not a
    Windows one); cp1252 when the bytes decode under it and the non-ASCII bytes stand mostly
    alone among ASCII letters, as accents, £, curly quotes and dashes do in English and other
    Western text; only then charset-normalizer. On short inputs charset-normalizer guesses from
    a handful of bytes ("£5" came out as UTF-16, "Café" as EBCDIC), so it is asked only about
    texts where runs of non-ASCII bytes suggest another script (Cyrillic, Greek, CJK).
    """
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            return raw[len(bom):].decode(encoding, errors="replace"), encoding if encoding != "utf-8" else "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    lenient = raw.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    valid = sum(1 for c in lenient if ord(c) > 127) - broken
    if valid and valid >= broken:
        return lenient, "utf-8"
    if _looks_western(raw):
        return raw.decode("cp1252"), "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in _WESTERN and _decodes(raw, "cp1252"):
        encoding = "cp1252"
    return raw.decode(encoding, errors="replace"), encoding


# UTF-32's little-endian mark starts like UTF-16's, so it is tried first.
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "cp1254", "cp1257", "mac_roman", "iso8859_2", "iso8859_9", "cp850", "cp437"}
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _looks_western(raw: bytes) -> bool:
    """Decodes as cp1252, and at most a third of its non-ASCII bytes sit in runs of three or more."""
    if not _decodes(raw, "cp1252"):
        return False
    runs = [len(m.group()) for m in _HIGH_RUN.finditer(raw)]
    return sum(n for n in runs if n >= 3) * 3 <= sum(runs)


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


MARKDOWN_SUFFIXES = (".md", ".markdown")


def extract_text_file(path: Path) -> tuple[list[Page], dict, list[str]]:
    """Page 1 of a text file, re-flowed (``reflow``); Markdown syntax is read in files named
    ``.md``/``.markdown`` only. Transcript times go to ``metadata["timestamps"]`` as
    ``[offset in the page text, time]`` pairs."""
    text, encoding = decode_text(path.read_bytes())
    flowed = reflow(text, markdown=path.suffix.lower() in MARKDOWN_SUFFIXES)
    metadata: dict = {"encoding": encoding}
    if flowed.times:
        metadata["timestamps"] = [[offset, time] for offset, time in flowed.times]
    return [Page(1, flowed.text, METHOD_STRUCTURED, [FLAG_LOGICAL_PAGE], "text", [])], metadata, []
