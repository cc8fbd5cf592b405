"""The lever gate: which sentences may be scored for implicit social value at all.

Implicit social value is an NHS body using what it *buys*, *commissions*, *contracts*, *spends*,
whom it *employs*, or the *land and buildings* it holds, for local benefit (annotations/README.md).
A sentence without any such lever cannot be implicit social value, whatever a bag-of-n-grams model
thinks of its words ("local genomic science", "band 8s at national level"), so it is ``other``
without a model call. Nor can a sentence that names a lever but no aim beyond the service: local
people or firms, disadvantaged groups, good work and pay, the (social) economy, the environment,
fairness ("a single supply chain standardises products", "reserve 3% of annual spend for
investment", "our role is to commission and contract for services"). So a sentence is scored only
when it matches at least one ``lever`` cue *and* one ``aim`` cue; anchor institutions count as
both.

The cues are data, one rule per line of ``svmine/detect/data/levers.jsonl``
(``{"id", "kind": "lever"|"aim", "lever", "pattern", "note"?}``; ``lever`` names the lever or aim
group; ``pattern`` is a case-insensitive regular expression), read with ``importlib.resources``
like the mention patterns; a ``--patterns`` folder may carry its own ``levers*.jsonl``, else the
packaged file is used.

Before the cues, :func:`classifiable` keeps out what is not a sentence: fragments under
:data:`MIN_WORDS` words or cut off mid-phrase (ending on "the", "and", "of"..., or starting in
lower case without final punctuation: a piece of a hard-wrapped line), table-of-contents lines (dot leaders, a trailing page number after a
title), headings (Markdown ``#``, a line wholly in ``**bold**``, a short line without final
punctuation in which most words are capitalised) and table rows. Page furniture (a line repeated
across pages) is handled by the detector, which knows the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from svmine.errors import PatternError

LEVER_FILE_PREFIX = "levers"
MIN_WORDS = 8
MIN_CHARS = 40
HEADING_MAX_WORDS = 14

_TOC = re.compile(r"(?:\.{4,}|…{2,}|\s{3,})\s*\d{1,4}\s*$|^\s*(?:\d+(?:\.\d+)*\.?\s+)?[A-Z][^.!?]{0,80}\s\d{1,4}\s*$")
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d\d:\d\d(?:\.\d+)?\b")
_SMALL = {"and", "or", "the", "of", "to", "for", "in", "with", "a", "an", "by", "on", "at", "our", "&", "-", "–"}


KINDS = ("lever", "aim")


@dataclass(frozen=True)
class LeverRule:
    id: str
    lever: str
    pattern: str
    note: str = ""
    kind: str = "lever"

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "") -> "LeverRule":
        if not isinstance(data, dict):
            raise PatternError(f"{where}: a lever rule must be a JSON object")
        for key in ("id", "lever", "pattern"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise PatternError(f"{where}: lever rule needs a non-empty string {key!r}")
        kind = data.get("kind", "lever")
        if kind not in KINDS:
            raise PatternError(f"{where}: rule {data['id']!r}: kind must be one of {', '.join(KINDS)}")
        try:
            re.compile(data["pattern"])
        except re.error as exc:
            raise PatternError(f"{where}: rule {data['id']!r}: bad regular expression ({exc})") from None
        return cls(data["id"], data["lever"], data["pattern"], data.get("note", ""), kind)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "lever": self.lever, "pattern": self.pattern}
        if self.note:
            out["note"] = self.note
        return out


def is_lever_file(name: str) -> bool:
    return Path(name).name.startswith(LEVER_FILE_PREFIX)


def _alternation(rules: list[LeverRule]) -> re.Pattern:
    return re.compile("|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(rules)), re.IGNORECASE)


class LeverGate:
    """Lever and aim rules, each kind compiled into one alternation."""

    def __init__(self, rules: list[LeverRule]):
        self.levers_rules = [r for r in rules if r.kind == "lever"]
        self.aim_rules = [r for r in rules if r.kind == "aim"]
        if not self.levers_rules or not self.aim_rules:
            raise PatternError("the lever gate needs at least one 'lever' and one 'aim' rule")
        self.rules = rules
        self._lever = _alternation(self.levers_rules)
        self._aim = _alternation(self.aim_rules)

    @staticmethod
    def _names(regex: re.Pattern, rules: list[LeverRule], text: str) -> list[str]:
        found: list[str] = []
        for m in regex.finditer(text):
            name = rules[int(m.lastgroup[1:])].lever
            if name not in found:
                found.append(name)
        return found

    def levers(self, text: str) -> list[str]:
        """The levers a text names (e.g. ["buying", "employing"])."""
        return self._names(self._lever, self.levers_rules, text)

    def aims(self, text: str) -> list[str]:
        return self._names(self._aim, self.aim_rules, text)

    def gated(self, text: str) -> bool:
        """A classifiable sentence naming a lever and an aim (see the module docstring)."""
        return classifiable(text) and self._lever.search(text) is not None and self._aim.search(text) is not None


def classifiable(text: str) -> bool:
    """A whole sentence, not a fragment, heading, table-of-contents line or table row."""
    stripped = _TIMESTAMP.sub(" ", text).strip()
    words = [w for w in stripped.split() if any(c.isalpha() for c in w)]
    if len(words) < MIN_WORDS or len(stripped) < MIN_CHARS:
        return False
    first_line = stripped.splitlines()[0].strip()
    if first_line.startswith("#") or (stripped.startswith("**") and stripped.rstrip("*: ").count("**") <= 1
                                      and stripped.endswith("**")):
        return False
    if stripped.count("|") >= 3:
        return False
    last = words[-1].lower().strip("*_")
    ends = stripped.rstrip("*_ ").endswith((".", "!", "?", ":", ";", ")", "\"", "”"))
    if not ends and (last in _SMALL or stripped[:1].islower()):
        return False
    if any(_TOC.search(line) for line in stripped.splitlines()) and not stripped.rstrip().endswith((".", "!", "?")):
        return False
    if len(words) <= HEADING_MAX_WORDS and not stripped.rstrip("*").endswith((".", "!", "?", ":", ";")):
        content = [w for w in words if w.lower() not in _SMALL]
        capitalised = sum(1 for w in content if w.lstrip("(\"'‘“*")[:1].isupper())
        if content and capitalised / len(content) >= 0.6:
            return False
    return True


def parse_levers(name: str, text: str) -> list[LeverRule]:
    from svmine.detect.patterns import read_jsonl

    return [LeverRule.from_dict(obj, where) for where, obj in read_jsonl(name, text)]


def load_levers(patterns_dir: str | Path | None = None) -> list[LeverRule]:
    """Lever rules of a ``--patterns`` folder (``levers*.jsonl``), else the packaged ones."""
    from svmine.detect.patterns import decode, rule_files

    rules: list[LeverRule] = []
    for file in rule_files(patterns_dir):
        if is_lever_file(file.name):
            rules += parse_levers(file.name, decode(file))
    if not rules and patterns_dir is not None:
        return load_levers(None)
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise PatternError(f"duplicate lever rule id {rule.id!r}")
        seen.add(rule.id)
    return rules


@lru_cache(maxsize=8)
def _gate(patterns_dir: str | None) -> LeverGate:
    return LeverGate(load_levers(patterns_dir))


def lever_gate(patterns_dir: str | Path | None = None) -> LeverGate:
    return _gate(None if patterns_dir is None else str(patterns_dir))
