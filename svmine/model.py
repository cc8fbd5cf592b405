"""The records every stage of svmine passes on: documents, pages, mentions and policy facts.

These are plain dataclasses with ``to_dict``/``from_dict`` so that they cross process
boundaries (worker pools, Dask) as JSON-able dicts, never as spaCy objects.

Page numbers are 1-based. Character offsets (``start``/``end``) index into ``Page.text``
exactly as extraction produced it, so a mention can always be shown on its page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

# How a page's text was obtained.
METHOD_TEXT_LAYER = "text_layer"  # PDF text layer (pdfplumber or pypdfium2)
METHOD_OCR = "ocr"  # Tesseract on the rendered page
METHOD_NONE = "none"  # nothing could be read (see flags, e.g. needs_ocr)
METHOD_STRUCTURED = "structured"  # DOCX/HTML/plain text: text read from the file's own structure

# Quality flags a page may carry.
FLAG_NO_TEXT_LAYER = "no_text_layer"
FLAG_OCR = "ocr"
FLAG_NEEDS_OCR = "needs_ocr"  # scanned page, but Tesseract is not installed
FLAG_LOW_TEXT_DENSITY = "low_text_density"
FLAG_MULTI_COLUMN = "multi_column"
FLAG_HAS_TABLES = "has_tables"
FLAG_FALLBACK = "engine_fallback"  # auto engine fell back to pdfplumber for this page
FLAG_LOGICAL_PAGE = "logical_page"  # DOCX/HTML/text: not a printed page

# Start of a Document warning saying a parser stopped before the end of the file: text after
# that point is missing, so "no mention" from such a document is not a reliable "no".
TRUNCATED_WARNING = "text truncated"

# What one "page" means for a document format.
PAGE_UNIT_PDF = "pdf_page"
PAGE_UNIT_SECTION = "section"  # DOCX: one logical page per section
PAGE_UNIT_DOCUMENT = "document"  # HTML/text: the whole document is page 1


class _Record:
    """to_dict/from_dict shared by the records below (unknown keys are ignored on load)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Page(_Record):
    number: int
    text: str
    method: str = METHOD_TEXT_LAYER
    flags: list[str] = field(default_factory=list)
    engine: str | None = None  # "pdfplumber", "pdfium", "tesseract", "docx", "html", "text"
    headers: list[str] = field(default_factory=list)  # running headers/footers removed from text


@dataclass
class Document(_Record):
    path: str
    sha256: str
    format: str  # "pdf", "docx", "html", "text" (detected from content)
    page_unit: str = PAGE_UNIT_PDF
    metadata: dict[str, Any] = field(default_factory=dict)  # title, author, created, modified
    pages: list[Page] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    truncated: bool = False  # a parser stopped early (see the TRUNCATED_WARNING warning)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        doc = super().from_dict(data)
        doc.pages = [p if isinstance(p, Page) else Page.from_dict(p) for p in doc.pages]
        return doc

    @property
    def text(self) -> str:
        return "\n\n".join(p.text for p in self.pages)


# Mention categories and kinds.
CATEGORY_SOCIAL_VALUE = "social_value"
CATEGORY_VCSE = "vcse"
KIND_EXPLICIT = "explicit"  # the words are there (pattern match, or classifier on such a sentence)
KIND_IMPLICIT = "implicit"  # social value described without naming it (classifier only)
SOURCE_PATTERN = "pattern"
SOURCE_CLASSIFIER = "classifier"


@dataclass
class Mention(_Record):
    document: str  # path as scanned
    sha256: str
    page: int
    category: str  # "social_value" | "vcse"
    kind: str  # "explicit" | "implicit"
    source: str  # "pattern" | "classifier"
    text: str  # matched text (pattern) or the sentence (classifier)
    start: int  # char offsets into Page.text
    end: int
    sentence: str
    sentence_start: int
    sentence_end: int
    pattern_id: str | None = None
    label: str | None = None  # classifier label, e.g. "social_value_implicit"
    probability: float | None = None  # classifier probability for the mention's label
    context: dict[str, str] = field(default_factory=dict)  # flag -> cue text, e.g. {"negated": "no"}


@dataclass
class PolicyFact(_Record):
    document: str
    sha256: str
    page: int
    kind: str  # "weighting", "pass_fail", "threshold"
    text: str  # the sentence
    start: int
    end: int
    value: float | None = None  # e.g. 10.0 for "weighted at 10%"
    unit: str | None = None  # "percent"
    basis: str | None = None  # e.g. "total quality score", "below threshold"
