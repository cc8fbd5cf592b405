"""The spaCy pipeline: ``spacy.blank("en")`` + PDF-robust sentences + lemmas + mentions + context.

No statistical model is downloaded. Components, in order:

``svmine_sentences``   sentence boundaries from punctuation *and* layout (see ``split_points``)
``svmine_lemmatizer``  spaCy's lookup lemmatizer (tables from spacy-lookups-data), looking up the
                       lower-cased token so "Charities" and "charities" both give "charity"
``svmine_mentions``    token/phrase rules → ``doc.spans["svmine_mentions"]`` (components.py)
``svmine_context``     ConText-style flags on each mention (context.py)
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

SPANS_KEY = "svmine_mentions"
MAX_PAGE_CHARS = 20_000_000

# A line that starts a list item or a numbered paragraph: "•", "-", "1.", "1.2", "2)", "(a)", "iv)".
_ITEM = r"(?:[•▪◦●‣∙·*➢►■□✓–—-]|\(?\d{1,2}[.)]|\d{1,2}(?:\.\d{1,2})+[.)]?|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])"
_MARKER_ONLY = re.compile(rf"{_ITEM}")
ITEM_START = re.compile(rf"\n[ \t]*(?={_ITEM}[ \t]+\S)")
BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")
# Sentence-final punctuation, optional closing quote/bracket, whitespace, then something that
# can open a sentence. The look-behind for abbreviations is done in code (variable width).
SENT_END = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9•])")
ABBREVIATIONS = {
    "e.g", "i.e", "etc", "dr", "mr", "mrs", "ms", "st", "no", "nos", "vs", "cf", "approx", "fig",
    "para", "ref", "vol", "p", "pp", "co", "ltd", "inc", "dept", "govt", "est", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "al", "ch", "sec",
}
HEADING_MAX_WORDS = 10
_LINE_END_PUNCT = tuple(".,;:–-(&/")
_CONNECTIVES = {"and", "or", "the", "of", "to", "for", "in", "with", "a", "an", "by", "on", "as", "at", "from", "that", "our"}


def _is_heading(line: str, next_line: str) -> bool:
    """A short line without final punctuation followed by a line starting with a capital/digit.

    PDF text rarely ends a wrapped line early, so a short unpunctuated line is almost always a
    heading, a table cell or a label; treating it as its own sentence keeps it out of the next one.
    """
    words = line.split()
    if not words or len(words) > HEADING_MAX_WORDS or line.rstrip().endswith(_LINE_END_PUNCT):
        return False
    if words[-1].lower() in _CONNECTIVES:
        return False
    first = next_line.lstrip()[:1]
    return bool(first) and (first.isupper() or first.isdigit() or first in "•▪◦●‣∙·*➢►■□✓–—-(")


def split_points(text: str) -> list[int]:
    """Character offsets where a new sentence starts (sorted, without 0)."""
    points = {m.end() for m in BLANK_LINE.finditer(text)}
    points |= {m.end() for m in ITEM_START.finditer(text)}
    for m in SENT_END.finditer(text):
        before = text[max(0, m.start() - 40) : m.start()].rsplit(None, 1)  # not text[:i]: quadratic
        word = before[-1].lower().lstrip("(\"'“") if before else ""
        if word.rstrip(".") in ABBREVIATIONS or re.fullmatch(r"[a-z]", word):
            continue  # "e.g. Age UK", "Dr. Smith", "J. Smith"
        line_start = text.rfind("\n", 0, m.start()) + 1
        if _MARKER_ONLY.fullmatch(text[line_start : m.start() + 1].strip()):
            continue  # "1. Introduction": the number belongs to its heading
        points.add(m.end())
    offset = 0
    lines = text.split("\n")
    for line, nxt in zip(lines, lines[1:]):
        offset += len(line) + 1
        if _is_heading(line, nxt):
            points.add(offset)
    return sorted(p for p in points if 0 < p < len(text))


@Language.component("svmine_sentences")
def svmine_sentences(doc: Doc) -> Doc:
    """Set sentence starts from ``split_points``: a sentence starts at the first non-space
    token at or after each split point; every other token is marked as not starting one."""
    if not len(doc):
        return doc
    positions = doc.to_array("IDX")
    spaces = doc.to_array("IS_SPACE")
    flags = numpy.full(len(doc), -1, dtype="int32")  # -1: not a start, 1: a start
    flags[0] = 1
    for point in split_points(doc.text):
        i = int(numpy.searchsorted(positions, point))
        while i < len(doc) and spaces[i]:
            i += 1
        if i < len(doc):
            flags[i] = 1
    # One array write: setting token.is_sent_start one by one re-checks the whole Doc each time.
    doc.from_array([SENT_START], flags.astype("uint64").reshape(-1, 1))
    return doc


class LowercaseLookupLemmatizer(Lemmatizer):
    """Lookup lemmatizer that tries the token text, then its lower-case form.

    spaCy's lookup mode keys on the exact text, so capitalised words ("Charities", "Sector" in a
    heading) keep their surface form and LEMMA patterns silently miss them. The result is
    lower-cased so LEMMA patterns are case-insensitive.
    """

    @classmethod
    def get_lookups_config(cls, mode: str):
        return (["lemma_lookup"], []) if mode == "lower_lookup" else super().get_lookups_config(mode)

    def lower_lookup_lemmatize(self, token) -> list[str]:
        table = self.lookups.get_table("lemma_lookup", {})
        result = table.get(token.text) or table.get(token.lower_) or token.lower_
        return [(result if isinstance(result, str) else result[0]).lower()]


@Language.factory(
    "svmine_lemmatizer",
    assigns=["token.lemma"],
    default_config={"mode": "lower_lookup", "overwrite": False},
)
def make_lemmatizer(nlp: Language, name: str, mode: str, overwrite: bool) -> LowercaseLookupLemmatizer:
    return LowercaseLookupLemmatizer(nlp.vocab, None, name, mode=mode, overwrite=overwrite)


def make_pipeline(patterns_dir: str | Path | None = None, context: bool = True) -> Language:
    """A ready pipeline with the packaged (or ``patterns_dir``) mention and context rules."""
    import spacy

    from svmine.detect import components, context as context_mod  # noqa: F401  (register factories)

    nlp = spacy.blank("en")
    # HTML and text files are one logical page; spaCy's 1M-character guard exists for parsers'
    # memory, which this pipeline does not have.
    nlp.max_length = MAX_PAGE_CHARS
    nlp.add_pipe("svmine_sentences")
    nlp.add_pipe("svmine_lemmatizer")
    nlp.add_pipe("svmine_mentions", config={"spans_key": SPANS_KEY})
    if context:
        nlp.add_pipe("svmine_context", config={"spans_key": SPANS_KEY})
    # The rule components load their rules in initialize (RulesComponent), from these settings.
    folder = str(patterns_dir) if patterns_dir is not None else None
    for name in ("svmine_mentions", "svmine_context") if context else ("svmine_mentions",):
        nlp.config["initialize"]["components"][name] = {"patterns_dir": folder}
    nlp.initialize()
    return nlp
