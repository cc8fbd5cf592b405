"""Which mentions count as evidence, how strong each is, and the verdict they add up to.

The rules (also in the README (Tables)):

* A mention is **left out** when its context says it is negated ("we have no social value
  policy") or boilerplate (a page footer, a copyright line), when auditors rejected it in review
  (see ``svmine.store.reporting.rejected_mention_keys``), or when it came from the classifier
  with a probability below ``min_probability`` (default 0.5).
* A counted mention is **strong** when it is explicit, carries no other context flag, and is
  either a pattern match or a classifier judgement with probability >= ``HIGH_CONFIDENCE`` (0.8).
  ("committed" is the one flag that does not weaken.) Everything else that counts is **weak**:
  implicit mentions, classifier mentions under 0.8, and mentions whose context is flagged
  hypothetical ("we may consider") or reference (a citation, a References section).
* Verdict of a footprint (or CCG, or document): ``yes`` when at least one mention of the chosen
  category counts; the row is marked ``review`` when none of those mentions is strong.
  ``no`` only when at least one document was read and nothing counts. A footprint without
  documents is ``no document`` and one whose documents all failed is ``not read`` — never ``no``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

HIGH_CONFIDENCE = 0.8
DEFAULT_MIN_PROBABILITY = 0.5
EXCLUDING_FLAGS = frozenset({"negated", "boilerplate"})
NEUTRAL_FLAGS = frozenset({"committed"})  # "we will ..." makes a mention no weaker

YES, NO, NO_DOCUMENT, NOT_READ = "yes", "no", "no document", "not read"


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

    def label(self) -> str:
        name = self.document.replace("\\", "/").rsplit("/", 1)[-1]
        return f'"{self.quote}" (p. {self.page}, {name})'

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def counts(mention: dict[str, Any], min_probability: float = DEFAULT_MIN_PROBABILITY) -> bool:
    """Does this mention count as evidence at all?"""
    if EXCLUDING_FLAGS.intersection(mention.get("flags") or ()):
        return False
    if mention.get("rejected"):
        return False
    prob = mention.get("probability")
    if mention.get("source") == "classifier" and prob is not None and prob < min_probability:
        return False
    return True


def is_strong(mention: dict[str, Any]) -> bool:
    if mention.get("kind") != "explicit" or _weakening(mention):
        return False
    if mention.get("source") == "pattern":
        return True
    prob = mention.get("probability")
    return prob is not None and prob >= HIGH_CONFIDENCE


def _weakening(mention: dict[str, Any]) -> set[str]:
    return set(mention.get("flags") or ()) - NEUTRAL_FLAGS


def strength(mention: dict[str, Any]) -> tuple:
    """Sort key: bigger is stronger (strong first, explicit over implicit, surer over less sure)."""
    prob = mention.get("probability")
    return (
        is_strong(mention),
        mention.get("kind") == "explicit",
        not _weakening(mention),
        mention.get("source") == "pattern",
        1.0 if prob is None else prob,
    )


def shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def to_evidence(mention: dict[str, Any]) -> Evidence:
    return Evidence(
        quote=shorten(mention.get("sentence") or mention.get("text") or ""),
        page=int(mention["page"]),
        document=mention["document"],
        kind=mention["kind"],
        source=mention["source"],
        probability=mention.get("probability"),
        flags=list(mention.get("flags") or []),
        strong=is_strong(mention),
    )


def verdict(readable_docs: int, failed_docs: int, evidence: list[dict[str, Any]]) -> tuple[str, bool]:
    """(verdict, needs review) for one row, from its counted mentions of the chosen category."""
    if readable_docs == 0:
        return (NOT_READ if failed_docs else NO_DOCUMENT), False
    if evidence:
        return YES, not any(is_strong(m) for m in evidence)
    return NO, False
