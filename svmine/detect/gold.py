"""Real-text gold set by reference: sentences of public documents kept in ``../shared``, never copied.

A gold record (one JSON object per line of ``annotations/gold/real.jsonl``)::

    {"id": "g0012", "doc": "data/uk_public_docs_text/.../plan.md", "sha256": "<file sha256>",
     "page": 1, "start": 1040, "end": 1188, "text_sha1": "3f9a0c1b2d4e",
     "labels": ["social_value_implicit"], "reason": "...", "split": "tune"}

Decisions:

- ``doc`` is relative to the shared folder (``/work/shared`` or ``$SVMINE_SHARED``; tests use
  ``ROOT.parent / "shared"``). ``sha256`` is the file's; a different file is refused, not guessed at.
- ``start``/``end`` are character offsets into a *reference text* that does not depend on how svmine
  processes text today (another stage re-flows hard-wrapped text and drops transcript timestamps;
  the gold must not move with it):

  - ``.md``/``.txt``: the file's bytes decoded as UTF-8 (a BOM dropped, bad bytes replaced);
    ``page`` is 1;
  - ``.pdf``: the page text of svmine's ``pdfplumber`` engine (not ``auto``, whose fast path may
    change), OCR off; ``page`` is 1-based;
  - ``.docx``: the text of svmine's DOCX reader for that logical page (section), 1-based.

  If the PDF/DOCX readers change their output, offsets drift. ``text_sha1`` (the first 12 hex
  digits of the sha1 of the whitespace-folded sentence) detects that: :func:`resolve` reports
  every record whose text no longer hashes the same, and ``svmine evaluate`` stops (exit 2).
- ``split`` is ``tune`` or ``heldout`` and is decided per *document*, before any model output on
  the held-out documents was looked at. The rule (:func:`split_of`): a document is held out when
  the first hex digit of the sha256 of its relative path is in 0-7 -- roughly half. The rule,
  not a hand choice, fixes the split, so nobody can move an awkward document across.
- ``labels`` follow ``annotations/README.md``; ``reason`` is the annotator's own short words.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from svmine.detect.jsonl import json_objects
from svmine.errors import GoldError
from svmine.hashing import sha256_file
from svmine.model import LABELS

SHARED_ENV = "SVMINE_SHARED"
SPLITS = ("tune", "heldout")
TEXT_SUFFIXES = {".md", ".txt"}
HELDOUT_DIGITS = "01234567"


def default_shared_dir() -> Path:
    env = os.environ.get(SHARED_ENV)
    if env:
        return Path(env)
    from svmine.detect.classifier import repo_root

    return repo_root().parent / "shared"


def split_of(doc: str) -> str:
    """The document-level split rule (module docstring)."""
    return "heldout" if hashlib.sha256(doc.encode("utf-8")).hexdigest()[0] in HELDOUT_DIGITS else "tune"


def fold(text: str) -> str:
    return " ".join(text.split())


def text_sha1(text: str) -> str:
    """Short hash of the whitespace-folded sentence (drift check)."""
    return hashlib.sha1(fold(text).encode("utf-8")).hexdigest()[:12]


@lru_cache(maxsize=64)
def _pages_cached(path: str, mtime: float) -> tuple[str, ...]:
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return (p.read_bytes().decode("utf-8-sig", errors="replace"),)
    if suffix == ".pdf":
        from svmine.extract import extract_document

        return tuple(pg.text for pg in extract_document(p, engine="pdfplumber", ocr=False).pages)
    if suffix == ".docx":
        from svmine.extract.structured import extract_docx

        return tuple(pg.text for pg in extract_docx(p)[0])
    raise GoldError(f"no reference text is defined for {suffix or 'files without a suffix'}", path)


def reference_pages(path: str | Path) -> tuple[str, ...]:
    """The reference text of each page (module docstring), 0-based tuple, cached per file."""
    p = Path(path)
    return _pages_cached(str(p.resolve()), p.stat().st_mtime)


@dataclass
class GoldSentence:
    id: str
    doc: str
    sha256: str
    page: int
    start: int
    end: int
    text_sha1: str
    labels: list[str]
    reason: str
    split: str
    text: str | None = field(default=None, repr=False)  # filled by resolve()

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "") -> "GoldSentence":
        missing = [k for k in ("id", "doc", "sha256", "page", "start", "end", "text_sha1", "labels", "split")
                   if k not in data]
        if missing:
            raise GoldError(f"{where}: missing {', '.join(missing)}")
        labels = data["labels"]
        if not isinstance(labels, list) or not labels or set(labels) - set(LABELS):
            raise GoldError(f"{where}: labels must be a non-empty list of {', '.join(LABELS)}")
        if "other" in labels and len(labels) > 1:
            raise GoldError(f"{where}: 'other' must stand alone")
        if data["split"] not in SPLITS:
            raise GoldError(f"{where}: split must be one of {', '.join(SPLITS)}")
        try:
            page, start, end = int(data["page"]), int(data["start"]), int(data["end"])
        except (TypeError, ValueError):
            raise GoldError(f"{where}: page, start and end must be integers") from None
        if page < 1 or start < 0 or end <= start:
            raise GoldError(f"{where}: needs page >= 1 and 0 <= start < end")
        return cls(str(data["id"]), str(data["doc"]), str(data["sha256"]), page, start, end, str(data["text_sha1"]),
                   list(labels), str(data.get("reason", "")), data["split"])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "doc": self.doc, "sha256": self.sha256, "page": self.page, "start": self.start,
                "end": self.end, "text_sha1": self.text_sha1, "labels": list(self.labels), "reason": self.reason,
                "split": self.split}


def is_real_gold(first: dict[str, Any]) -> bool:
    return "doc" in first and "text_sha1" in first and "text" not in first


def read_gold_records(path: str | Path) -> list[GoldSentence]:
    path = Path(path)
    out, seen = [], set()
    for _number, where, data in json_objects(path, GoldError, "gold file"):
        rec = GoldSentence.from_dict(data, where)
        if rec.id in seen:
            raise GoldError(f"{where}: duplicate id {rec.id!r}")
        seen.add(rec.id)
        out.append(rec)
    if not out:
        raise GoldError("no records", str(path))
    return out


@dataclass
class Problem:
    id: str
    doc: str
    message: str


def resolve(records: list[GoldSentence], shared: str | Path | None = None) -> list[Problem]:
    """Fill each record's ``text`` from the shared folder; return what could not be verified.

    A missing file, a file whose sha256 differs, a page or offsets out of range and a sentence
    whose ``text_sha1`` differs are each one :class:`Problem` (the record's text stays None).
    """
    root = Path(shared) if shared is not None else default_shared_dir()
    if not root.is_dir():
        raise GoldError(f"shared folder {root} is absent: the gold set refers to documents there "
                        f"(set ${SHARED_ENV} or pass --shared)")
    problems: list[Problem] = []
    checked: dict[str, str | None] = {}
    for rec in records:
        file = root / rec.doc
        if rec.doc not in checked:
            if not file.is_file():
                checked[rec.doc] = "file not found"
            else:
                actual = sha256_file(file)
                checked[rec.doc] = None if actual == rec.sha256 else (
                    f"sha256 differs: file {actual[:12]}…, gold {rec.sha256[:12]}… (document changed)")
        if checked[rec.doc]:
            problems.append(Problem(rec.id, rec.doc, checked[rec.doc]))
            continue
        pages = reference_pages(file)
        if rec.page > len(pages) or rec.end > len(pages[rec.page - 1]):
            problems.append(Problem(rec.id, rec.doc, f"page {rec.page} [{rec.start}:{rec.end}] is out of range"))
            continue
        text = pages[rec.page - 1][rec.start : rec.end]
        if text_sha1(text) != rec.text_sha1:
            problems.append(Problem(rec.id, rec.doc, f"sentence hash differs at page {rec.page} "
                                    f"[{rec.start}:{rec.end}] (reference text drifted)"))
            continue
        rec.text = text
    return problems


def load_gold(path: str | Path, shared: str | Path | None = None, split: str | None = None) -> list[GoldSentence]:
    """Read, resolve and verify; raises :class:`GoldError` listing the problems when any."""
    if split is not None and split not in SPLITS:
        raise GoldError(f"split must be one of {', '.join(SPLITS)}")
    records = read_gold_records(path)
    problems = resolve(records, shared)
    if problems:
        shown = "; ".join(f"{p.id} ({p.doc}): {p.message}" for p in problems[:5])
        more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
        raise GoldError(f"{len(problems)} gold sentence(s) could not be verified: {shown}{more}", str(path))
    return [r for r in records if split is None or r.split == split]


# -- aligning another text of the same page with the reference text ---------------------------

_KEY_CHAR = re.compile(r"[a-z]")


def letter_key(text: str) -> tuple[str, list[int]]:
    """Lower-case letters only, with each one's offset in ``text``.

    Whitespace, punctuation, digits (transcript timestamps, page numbers) and markup differ between
    the reference text and whatever svmine extracts today; the letters do not.
    """
    chars, offsets = [], []
    for i, ch in enumerate(text.lower()):
        if "a" <= ch <= "z":
            chars.append(ch)
            offsets.append(i)
    return "".join(chars), offsets


def locate(gold: list[GoldSentence], page_text: str) -> dict[str, tuple[int, int]]:
    """gold id -> (start, end) of the same sentence in ``page_text`` (another text of that page).

    Sentences are searched in order of their reference offsets, each from where the previous one
    was found (then from the top), so repeated sentences map to their own occurrence.
    """
    key, offsets = letter_key(page_text)
    out: dict[str, tuple[int, int]] = {}
    pos = 0
    for rec in sorted(gold, key=lambda r: r.start):
        if rec.text is None:
            continue
        needle = letter_key(rec.text)[0]
        if not needle:
            continue
        at = key.find(needle, pos)
        if at < 0:
            at = key.find(needle)
        if at < 0:
            continue
        out[rec.id] = (offsets[at], offsets[at + len(needle) - 1] + 1)
        pos = at + len(needle)
    return out
