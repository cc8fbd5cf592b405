"""Which mentions count, which of them answer Appendix 3's question, and the quote shown for a "yes".

The rules (also in docs/tables.md):

* A mention is **counted** (it appears in the Expl/Impl/VCSE counts) unless its context says it
  is negated ("we have no social value policy") or boilerplate (a page footer, a copyright line),
  auditors rejected it in review (``svmine.store.reporting.rejected_mention_keys``), or it came
  from the classifier with a probability below ``min_probability`` (default 0.5).
* A decision settled in ``svmine review`` outranks the machine: a sentence relabelled
  ``social_value_explicit`` is explicit (and strong), one accepted or relabelled implicit stays or
  becomes implicit, whatever its probability (``apply_review``).
* A counted mention **answers "yes"** only when it also survives the other context rules — it is
  not hypothetical ("we may consider social value") and not a reference (a citation, a References
  section) — and, for social value, only when it is *explicit*. That is the question Appendix 3 of
  the 2017 report asked: does the plan mention social value? The report says a plan can describe
  the substance without naming the Act; svmine shows that as "implicit only", never as a "yes".
* Verdict of a footprint (or CCG, or document): ``yes`` when at least one mention answers yes;
  ``no`` when at least one document was read and none does. A footprint without documents is
  ``no document`` and one whose documents all failed is ``not read`` — never ``no``.
* A row is marked for **review** when its "yes" rests only on weak evidence (a classifier
  judgement under ``HIGH_CONFIDENCE``) or only on headings and fragments, when a "no" has counted
  implicit sentences ("implicit only: N sentences"; they are items of the review queue), when a
  "no" has explicit mentions set aside as hypothetical or reference, or when documents could not
  be read or were placed uncertainly.
* The quote shown for a "yes" is chosen by ``evidence_rank``: a whole sentence before a heading,
  a fragment or a table row; then a commitment ("we will", "must", "is required", the context
  rules' ``committed`` flag); then naming the Act; then a sentence of ordinary length.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from svmine.outputs import truncate

HIGH_CONFIDENCE = 0.8
DEFAULT_MIN_PROBABILITY = 0.5
EXCLUDING_FLAGS = frozenset({"negated", "boilerplate"})  # not counted at all
SET_ASIDE_FLAGS = frozenset({"hypothetical", "reference"})  # counted, but never a "yes"
NEUTRAL_FLAGS = frozenset({"committed"})  # "we will ..." makes a mention no weaker

YES, NO, NO_DOCUMENT, NOT_READ = "yes", "no", "no document", "not read"
VERDICTS = (YES, NO, NO_DOCUMENT, NOT_READ)

SENTENCE, HEADING, FRAGMENT, TABLE_ROW = "sentence", "heading", "fragment", "table row"

# A sentence that stops on one of these was cut (hard-wrapped text, a page break).
_DANGLING = frozenset(
    "a an and are as at be by for from in into is its of on or our over such that the their this to"
    " under was were which who with within".split()
)
_BEFORE_GERUND = frozenset("and or when while by before after without through".split())
_COMMITMENT = re.compile(
    r"\b(?:will|shall|must|commit(?:s|ted|ment)?|pledge[sd]?|guarantee[sd]?|require[sd]?|requirement"
    r"|ensure[sd]?|embed(?:s|ded)?|appl(?:y|ies|ied)|weight(?:s|ed|ing)?|scored?|evaluated?|adopt(?:s|ed)?"
    r"|agreed|introduced|implemented|deliver(?:s|ed)?)\b",
    re.IGNORECASE,
)
_ACT = re.compile(r"\bsocial value\)?\s+act\b|\bpublic services \(social value\)", re.IGNORECASE)
_LEAD = re.compile(r"^(?:[#>*\-•–·\s]+|\(?\d+(?:\.\d+)*[.)]?\s+|\(?[a-z]\)\s+)+")
_END = re.compile(r"""[.!?]["'”’)\]*_]*$""")
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b")


@dataclass
class Evidence:
    """One mention as shown in a table cell."""

    quote: str
    page: int
    document: str
    kind: str
    source: str
    probability: float | None
    flags: list[str]
    strong: bool
    form: str = SENTENCE
    committed: bool = False
    name: str = ""  # the document as shown: file name, or the shortest unique path suffix

    def label(self) -> str:
        name = self.name or self.document.replace("\\", "/").rsplit("/", 1)[-1]
        prefix = "" if self.form == SENTENCE else f"{self.form}: "  # says what the quote is not
        return f'{prefix}"{self.quote}" (p. {self.page}, {name})'

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def counts(mention: dict[str, Any], min_probability: float = DEFAULT_MIN_PROBABILITY) -> bool:
    """Does this mention count as evidence at all?"""
    if EXCLUDING_FLAGS.intersection(mention.get("flags") or ()):
        return False
    if mention.get("rejected"):
        return False
    if mention.get("confirmed"):  # a person's decision outranks the classifier's probability
        return True
    prob = mention.get("probability")
    if mention.get("source") == "classifier" and prob is not None and prob < min_probability:
        return False
    return True


def answers_yes(mention: dict[str, Any], category: str = "social_value") -> bool:
    """Does this (counted) mention answer the table's question with "yes"?

    Social value: an explicit mention that is neither hypothetical nor a reference. VCSE: any
    VCSE mention that is neither hypothetical nor a reference.
    """
    if mention.get("category") not in (None, category):
        return False
    if (SET_ASIDE_FLAGS | EXCLUDING_FLAGS).intersection(mention.get("flags") or ()):
        return False
    return category != "social_value" or mention.get("kind") == "explicit"


def apply_review(mention: dict[str, Any], label: str | None) -> None:
    """Take a settled review label into the mention: a social value sentence relabelled explicit
    (or implicit) becomes so, and any label but ``other`` marks it ``confirmed`` by a person."""
    if not label or label == "other":
        return
    if mention.get("category") == "social_value" and label.startswith("social_value_"):
        mention["kind"] = label.removeprefix("social_value_")
        mention["confirmed"] = True
    elif mention.get("category") == "vcse" and label == "vcse":
        mention["confirmed"] = True


def is_strong(mention: dict[str, Any]) -> bool:
    if mention.get("kind") != "explicit" or _weakening(mention):
        return False
    if mention.get("source") == "pattern" or mention.get("confirmed"):
        return True
    prob = mention.get("probability")
    return prob is not None and prob >= HIGH_CONFIDENCE


def _weakening(mention: dict[str, Any]) -> set[str]:
    return set(mention.get("flags") or ()) - NEUTRAL_FLAGS


def sentence_form(text: str) -> str:
    """``sentence``, ``heading``, ``fragment`` or ``table row`` — what a quote would look like.

    A heading is short, unpunctuated and starts with a capital ("Maximising social value"); a
    fragment starts in lower case, is very short, or stops on a dangling word or comma (text cut
    by a hard line wrap); a table row is cells joined by " | " (how extraction writes tables).
    Numbering, bullets and Markdown emphasis at the start do not count against a sentence.
    """
    flat = " ".join(_TIMESTAMP.sub(" ", text).split())
    if flat.count(" | ") >= 1:
        return TABLE_ROW
    flat = _LEAD.sub("", flat).strip("*_ ")
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", flat)
    if not words:
        return FRAGMENT
    ends = bool(_END.search(flat))
    first = next((ch for ch in flat if ch.isalpha()), "")
    if first.islower():
        return FRAGMENT
    if not ends and len(words) <= 12 and not flat.endswith((",", ";", "-", "–")):
        capitals = sum(w[0].isupper() for w in words)
        if len(words) < 6 or capitals * 2 >= len(words) or not flat[0].isalpha():
            return HEADING if flat[0].isalpha() else FRAGMENT
    if len(words) < (4 if ends else 6):  # "We fund the voluntary sector." is a sentence
        return FRAGMENT
    last = words[-1].lower()
    if not ends and (last in _DANGLING or flat.endswith((",", ";", "-", "–")) or _cut_after_verb(words)):
        return FRAGMENT
    return SENTENCE


def _cut_after_verb(words: list[str]) -> bool:
    """An unpunctuated line that stops on an -ing verb right after "and"/"or"/"when"/"while"/"by"
    ("… care and addressing", "… when commissioning") lost its object: text of the next column or
    line belongs there. "… at the heart of our spending" ends on a noun and stays a sentence."""
    return len(words) >= 2 and words[-1].lower().endswith("ing") and words[-2].lower() in _BEFORE_GERUND


def is_committed(mention: dict[str, Any]) -> bool:
    """A commitment: the context rules' ``committed`` flag, or a commitment verb in the sentence."""
    if "committed" in (mention.get("flags") or ()):
        return True
    return bool(_COMMITMENT.search(mention.get("sentence") or mention.get("text") or ""))


def _quote_text(mention: dict[str, Any]) -> str:
    return mention.get("sentence") or mention.get("text") or ""


def evidence_rank(mention: dict[str, Any], category: str = "social_value") -> tuple:
    """Sort key for the quote of a row: bigger is better.

    Answers yes; a whole sentence (never a heading, fragment or table row while a sentence
    exists); strong; a commitment; names the Act; explicit; an ordinary length (8–45 words
    before longer or shorter ones, then longer); surer classifier judgements.
    """
    text = _quote_text(mention)
    words = len(text.split())
    prob = mention.get("probability")
    return (
        answers_yes(mention, category),
        sentence_form(text) == SENTENCE,
        is_strong(mention),
        is_committed(mention),
        bool(_ACT.search(text)),
        mention.get("kind") == "explicit",
        8 <= words <= 45,
        min(words, 45),
        1.0 if prob is None else prob,
    )


def strength(mention: dict[str, Any]) -> tuple:
    """Sort key kept for callers that rank mentions without a category (social value assumed)."""
    return evidence_rank(mention)


def shorten(text: str, limit: int = 160) -> str:
    """One line of at most ``limit`` characters; transcript timestamps are not the speaker's words."""
    text = " ".join(_TIMESTAMP.sub(" ", text).split())
    return truncate(text, limit, tidy=True)


def to_evidence(mention: dict[str, Any], name: str = "") -> Evidence:
    text = _quote_text(mention)
    return Evidence(
        quote=shorten(text),
        page=int(mention["page"]),
        document=mention["document"],
        kind=mention["kind"],
        source=mention["source"],
        probability=mention.get("probability"),
        flags=list(mention.get("flags") or []),
        strong=is_strong(mention),
        form=sentence_form(text),
        committed=is_committed(mention),
        name=name,
    )


@dataclass
class Decision:
    """The verdict of one row and why a person should look at it."""

    verdict: str
    review_reasons: list[str] = field(default_factory=list)
    implicit_only: int = 0  # counted implicit sentences of a "no" (social value only)
    set_aside: int = 0  # counted mentions of a "no" that are hypothetical or references
    support: list[dict[str, Any]] = field(default_factory=list)  # the mentions that answer yes


def decide(readable_docs: int, failed_docs: int, counted: list[dict[str, Any]],
           category: str = "social_value") -> Decision:
    """The verdict of one row from its counted mentions of ``category``."""
    if readable_docs == 0:
        return Decision(NOT_READ if failed_docs else NO_DOCUMENT)
    mine = [m for m in counted if m.get("category", category) == category]
    support = [m for m in mine if answers_yes(m, category)]
    if support:
        reasons = []
        if not any(is_strong(m) for m in support):
            reasons.append("weak evidence only")
        if not any(sentence_form(_quote_text(m)) == SENTENCE for m in support):
            reasons.append("named only in headings, fragments or table rows")
        return Decision(YES, reasons, support=support)
    decision = Decision(NO)
    if category == "social_value":
        decision.implicit_only = sum(m.get("kind") != "explicit" for m in mine)
    decision.set_aside = sum(bool(SET_ASIDE_FLAGS.intersection(m.get("flags") or ())) for m in mine
                             if category != "social_value" or m.get("kind") == "explicit")
    if decision.implicit_only:
        n = decision.implicit_only
        decision.review_reasons.append(f"implicit only: {n} sentence{'s' if n != 1 else ''}")
    if decision.set_aside:
        n = decision.set_aside
        what = "explicit mention" if category == "social_value" else "mention"
        decision.review_reasons.append(
            f"{n} {what}{'s' if n != 1 else ''} set aside as hypothetical or reference")
    return decision


def verdict(readable_docs: int, failed_docs: int, evidence: list[dict[str, Any]],
            category: str = "social_value") -> tuple[str, bool]:
    """(verdict, needs review) for one row: ``decide`` in short."""
    d = decide(readable_docs, failed_docs, evidence, category)
    return d.verdict, bool(d.review_reasons)
