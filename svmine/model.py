"""The records every stage of svmine passes on: documents, pages, mentions and policy facts.

These are plain dataclasses with ``to_dict``/``from_dict`` so that they cross process
boundaries (worker pools, Dask) as JSON-able dicts, never as spaCy objects.

Page numbers are 1-based. Character offsets (``start``/``end``) index into ``Page.text``
exactly as extraction produced it, so a mention can always be shown on its page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
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

# PDF text engines a caller may choose: "auto" reads with PDFium and falls back to pdfplumber
# only for pages whose PDFium text fails a quality check.
ENGINES = ("auto", "pdfplumber", "pdfium")

# What one "page" means for a document format.
PAGE_UNIT_PDF = "pdf_page"
PAGE_UNIT_SECTION = "section"  # DOCX: one logical page per section
PAGE_UNIT_DOCUMENT = "document"  # HTML/text: the whole document is page 1


class Record:
    """to_dict/from_dict shared by svmine's records (unknown keys are ignored on load)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass
class Page(Record):
    number: int
    text: str
    method: str = METHOD_TEXT_LAYER
    flags: list[str] = field(default_factory=list)
    engine: str | None = None  # "pdfplumber", "pdfium", "tesseract", "docx", "html", "text"
    headers: list[str] = field(default_factory=list)  # running headers/footers removed from text


@dataclass
class Document(Record):
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
CATEGORIES: tuple[str, ...] = (CATEGORY_SOCIAL_VALUE, CATEGORY_VCSE)
KIND_EXPLICIT = "explicit"  # the words are there (pattern match, or classifier on such a sentence)
KIND_IMPLICIT = "implicit"  # social value described without naming it (classifier only)
SOURCE_PATTERN = "pattern"
SOURCE_CLASSIFIER = "classifier"

# Sentence labels: the classifier's outputs, the gold sets' and the auditors' labels (one set for
# all). A sentence with none of the positive labels is ``other``.
LABEL_EXPLICIT = "social_value_explicit"
LABEL_IMPLICIT = "social_value_implicit"
LABEL_VCSE = "vcse"
LABEL_OTHER = "other"
LABELS: tuple[str, ...] = (LABEL_EXPLICIT, LABEL_IMPLICIT, LABEL_VCSE, LABEL_OTHER)
POSITIVE_LABELS: tuple[str, ...] = (LABEL_EXPLICIT, LABEL_IMPLICIT, LABEL_VCSE)
# The label an explicit mention of each category stands for.
LABEL_OF_CATEGORY = {CATEGORY_SOCIAL_VALUE: LABEL_EXPLICIT, CATEGORY_VCSE: LABEL_VCSE}


@dataclass
class Mention(Record):
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
class PolicyFact(Record):
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


@dataclass
class NameMatch(Record):
    """A CCG/STP name read in a document and the footprint it was matched to: one ``name_matches`` row.

    Made by the resolver (fuzzy: ``Resolution.name_match``) and by attribution (exact names);
    auditors review the ``review`` ones."""

    kind: str  # "stp" | "ccg"
    query: str  # the name as written
    candidate_code: str | None = None
    candidate_name: str | None = None
    score: float | None = None  # 0-100
    runner_up_code: str | None = None
    runner_up_name: str | None = None
    margin: float | None = None  # score minus the runner-up's
    status: str = "no_match"  # exact, accepted, review, no_match


@dataclass
class Attribution(Record):
    """The footprint a document belongs to (``svmine.footprints.attribution`` decides it)."""

    code: str | None
    name: str | None
    score: float  # 0-100: the winner's share of the votes (100 for a manifest entry)
    status: str  # exact (manifest), accepted, review, no_match
    evidence: Any = field(default_factory=list)  # list of {kind, code, text, page, ...}
    source: str = "text"  # "text" or "manifest"
    ccg_code: str | None = None  # set for a CCG-level document
    # the document's ICB of July 2022: the fields of ``svmine.footprints.icb_attribution.IcbPlacement``
    # (code, name, status, source, score, reason, evidence) as a plain dict; None when not decided
    icb: dict[str, Any] | None = None
    # one per distinct name found; a document result moves them to its own ``name_matches``
    name_matches: list[NameMatch] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Attribution":
        att = super().from_dict(data)
        att.name_matches = [_as(NameMatch, m) for m in att.name_matches or []]
        return att


# Document result statuses.
STATUS_OK = "ok"
STATUS_FAILED = "failed"


@dataclass
class DocumentResult(Record):
    """One document's whole result, as a scan worker makes it and ``Store.save_result`` writes it.

    Built once per file by ``svmine.scan.process``, filled by the stages (extract, detect,
    attribute), crosses from the worker to the writing parent as ``to_dict()`` and comes back
    with ``from_dict``. ``pages``, ``mentions`` and ``facts`` hold the ``to_dict`` forms of
    ``Page``, ``Mention`` and ``PolicyFact``: they go straight into their rows, nothing reads
    them as objects in between.
    """

    path: str
    sha256: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    status: str = STATUS_OK
    error_code: str | None = None
    error_message: str | None = None
    format: str | None = None
    page_unit: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)
    mentions: list[dict[str, Any]] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    attribution: Attribution | None = None
    name_matches: list[NameMatch] = field(default_factory=list)
    pattern_hash: str | None = None
    model_hash: str | None = None
    svmine_version: str = field(default_factory=lambda: _version())
    seconds: float = 0.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "DocumentResult":
        result = super().from_dict(data)
        result.attribution = _as(Attribution, result.attribution) if result.attribution else None
        result.name_matches = [_as(NameMatch, m) for m in result.name_matches or []]
        return result

    @classmethod
    def failed(cls, path: str, code: str, message: str, **known: Any) -> "DocumentResult":
        """A result for a file that could not be processed (``known``: sha256, size, mtime_ns...)."""
        return cls(path=path, status=STATUS_FAILED, error_code=code, error_message=message, **known)

    @property
    def ok(self) -> bool:
        return self.status == STATUS_OK

    def fail(self, code: str, message: str) -> None:
        """Mark the result failed: what the stages found so far is dropped (first line of the message kept)."""
        self.status, self.error_code = STATUS_FAILED, code
        self.error_message = message.splitlines()[0] if message else code
        self.pages, self.mentions, self.facts, self.attribution, self.name_matches = [], [], [], None, []

    def attribute(self, attribution: Attribution | None, keep_names: bool = True) -> None:
        """Set the footprint; the names it found become the result's own ``name_matches``."""
        if attribution is None:
            self.attribution = None
            return
        if keep_names:
            self.name_matches = list(attribution.name_matches)
        self.attribution = replace(attribution, name_matches=[])

    def fill_missing(self, sha256: str | None, size: int | None, mtime_ns: int | None,
                     fingerprint: dict[str, str]) -> None:
        """Fill what a worker could not know (a file it could not even hash, a detector that failed)."""
        self.sha256 = self.sha256 if self.sha256 is not None else sha256
        self.size = self.size if self.size is not None else size
        self.mtime_ns = self.mtime_ns if self.mtime_ns is not None else mtime_ns
        self.pattern_hash = self.pattern_hash or fingerprint["pattern_hash"]
        self.model_hash = self.model_hash or fingerprint["model_hash"]


def _as(cls, value):
    return value if isinstance(value, cls) else cls.from_dict(value)


def _version() -> str:
    from svmine import __version__

    return __version__
