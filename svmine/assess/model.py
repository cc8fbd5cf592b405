"""The records of a commissioner assessment (``svmine assess``): the three scales of the 2017
report, a signal with the evidence behind it, and one organisation's ratings.

The scales and their values are fixed here and nowhere else; ``svmine assess``, the store, the
review app (overrides) and the report all read them from this module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from svmine.model import Record

COMMITMENT = "commitment"
EVIDENCE = "evidence"
APPROACH = "approach"

# Each scale's values, strongest first (the order tables and the matrix use).
SCALES: dict[str, tuple[str, ...]] = {
    COMMITMENT: ("highly committed", "apparently committed", "committed", "uncommitted"),
    EVIDENCE: ("evidenced", "not evidenced"),
    APPROACH: ("active", "limited", "passive"),
}

# The group the report singles out: "highly committed, evidenced and active".
TOP_GROUP = {COMMITMENT: "highly committed", EVIDENCE: "evidenced", APPROACH: "active"}

OVERRIDE_ITEM_TYPE = "assessment"  # annotations.item_type of an auditor's override
OVERRIDE_DECISION = "override"


def override_key(org_code: str, scale: str) -> str:
    """annotations.item_key of an override of one scale of one organisation."""
    return f"assessment:{org_code}:{scale}"


def parse_override_key(item_key: str) -> tuple[str, str]:
    """(org_code, scale) of an :func:`override_key`; the scale is last, so a code may hold ':'."""
    org_code, _, scale = item_key.split(":", 1)[1].rpartition(":")
    return org_code, scale


def check_rating(scale: str, value: str) -> str:
    """``value`` if it is a rating of ``scale``; ValueError naming the allowed values otherwise."""
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r} (one of {', '.join(SCALES)})")
    if value not in SCALES[scale]:
        raise ValueError(f"{value!r} is not a {scale} rating (one of {', '.join(SCALES[scale])})")
    return value


@dataclass
class Signal(Record):
    """One piece of evidence for a rating: which rule fired, on which scale, where.

    ``kind`` is ``policy`` | ``evidence`` | ``approach`` | ``negative``; ``value`` carries what the
    rule extracted when it has a size (a weighting of 10 %, 4 procurements), else None.
    """

    rule_id: str
    kind: str
    document: str  # the document's path as the store knows it
    sha256: str
    page: int
    quote: str  # the sentence, as read
    value: float | None = None
    start: int = 0  # character offsets of the sentence on its page
    end: int = 0
    signal: str = ""  # the name the decision table reads (several rules may give one signal)


@dataclass
class Assessment(Record):
    """One organisation rated on the three scales, with the signals behind the ratings.

    ``overridden`` maps a scale to the auditor who overrode it (the rating shown is then the
    auditor's); ``reasons`` is the decision path ``svmine assess --explain`` prints.
    """

    org_code: str
    org_name: str
    commitment: str
    evidence: str
    approach: str
    confidence: float
    needs_review: bool = False
    org_type: str = ""
    region: str = ""
    documents: int = 0
    reasons: list[str] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)
    overridden: dict[str, str] = field(default_factory=dict)

    def rating(self, scale: str) -> str:
        return check_rating(scale, getattr(self, scale))

    @property
    def top_group(self) -> bool:
        return all(getattr(self, s) == v for s, v in TOP_GROUP.items())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Assessment":
        out = super().from_dict(data)
        out.signals = [s if isinstance(s, Signal) else Signal.from_dict(s) for s in out.signals]
        return out
