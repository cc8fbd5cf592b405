"""DOCX, HTML and plain text: formats without printed pages.

Decisions:
- DOCX: one logical page per section (``page_unit="section"``), because Word's page breaks
  depend on the printer; paragraphs and tables are read in body order, a table row becomes
  one line with cells joined by " | " (merged cells once). Section headers and footers go
  to ``Page.headers``, like running PDF headers.
- HTML: the whole document is page 1 (``page_unit="document"``), parsed with lxml; script,
  style, noscript, template, nav, header, footer, aside, form and hidden elements are
  skipped; block elements end paragraphs, table rows become " | "-joined lines.
- Plain text: page 1; UTF-8 (with or without BOM) and UTF-16 with BOM are read directly,
  anything else goes to charset-normalizer, with cp1252 preferred over the other Western
  single-byte encodings it may pick on short texts (they decode the same letters, but
  cp1252 is what Windows tools write in the UK). Blank lines end paragraphs.
"""

from __future__ import annotations

from pathlib import Path

from svmine.errors import CorruptFileError, ExtractionError
from svmine.extract.normalize import join_lines, join_paragraphs, normalize_text, text_to_paragraphs
from svmine.model import FLAG_LOGICAL_PAGE, METHOD_STRUCTURED, Page

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


def extract_html(path: Path) -> tuple[list[Page], dict, list[str]]:
    raw = path.read_bytes()
    return html_pages(raw, str(path))


def html_pages(raw: bytes, name: str) -> tuple[list[Page], dict, list[str]]:
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.document_fromstring(raw)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"HTML cannot be parsed ({exc})", name) from None
    metadata = {}
    title = root.findtext(".//title")
    if title and title.strip():
        metadata["title"] = normalize_text(title).strip()
    author = root.xpath("string(//meta[@name='author']/@content)")
    if author:
        metadata["author"] = normalize_text(author).strip()
    body = root.find("body")
    paragraphs: list[str] = []
    _HtmlWalker(paragraphs).walk(body if body is not None else root)
    text = join_paragraphs(paragraphs)
    return [Page(1, text, METHOD_STRUCTURED, [FLAG_LOGICAL_PAGE], "html", [])], metadata, []


class _HtmlWalker:
    def __init__(self, out: list[str]):
        self.out = out
        self.buffer: list[str] = []

    def flush(self) -> None:
        text = normalize_text(" ".join(self.buffer)).strip()
        if text:
            self.out.append(join_lines(text.split("\n")))
        self.buffer = []

    def walk(self, element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP or element.get("hidden") is not None or element.get("aria-hidden") == "true":
            self._tail(element)
            return
        if "display:none" in (element.get("style") or "").replace(" ", ""):
            self._tail(element)
            return
        if tag == "table":  # one block, a row a line, like PDF and DOCX tables
            self.flush()
            # rows of this table only: a nested table is read inside its cell
            rows = [_html_row(tr) for tr in element.iter("tr") if next(tr.iterancestors("table"), None) is element]
            text = "\n".join(r for r in rows if r)
            if text:
                self.out.append(text)
            self._tail(element)
            return
        block = tag in _BLOCK
        if block:
            self.flush()
        if tag == "br":
            self.buffer.append("\n")
        if element.text and tag:
            self.buffer.append(element.text)
        for child in element:
            self.walk(child)
        if block:
            self.flush()
        self._tail(element)

    def _tail(self, element) -> None:
        if element.tail:
            self.buffer.append(element.tail)


def _html_row(tr) -> str:
    cells = [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
    return " | ".join(t for t in (_html_cell(c) for c in cells) if t)


def _html_cell(cell) -> str:
    parts: list[str] = []
    walker = _HtmlWalker(parts)
    if cell.text:
        walker.buffer.append(cell.text)
    for child in cell:
        walker.walk(child)
    walker.flush()
    return " ".join(p.replace("\n", " ") for p in parts)


# ---------------------------------------------------------------- plain text


def decode_text(raw: bytes) -> tuple[str, str]:
    """(text, encoding name)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "utf-16"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    encoding = best.encoding if best is not None else "cp1252"
    if encoding in _WESTERN and _decodes(raw, "cp1252"):
        encoding = "cp1252"
    return raw.decode(encoding, errors="replace"), encoding


_WESTERN = {"cp1252", "latin_1", "iso8859_15", "cp1250", "cp1254", "cp1257", "mac_roman", "iso8859_2", "iso8859_9", "cp850", "cp437"}


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
        return True
    except UnicodeDecodeError:
        return False


def extract_text_file(path: Path) -> tuple[list[Page], dict, list[str]]:
    text, encoding = decode_text(path.read_bytes())
    body = join_paragraphs(text_to_paragraphs(text))
    return [Page(1, body, METHOD_STRUCTURED, [FLAG_LOGICAL_PAGE], "text", [])], {"encoding": encoding}, []
