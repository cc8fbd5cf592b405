"""Assessment rules as data: one JSON object a line in ``svmine/assess/data/rules.jsonl`` (read with
``importlib.resources``), or a user file given with ``svmine assess --rules FILE``, which replaces it.

A rule is ``{"id", "kind", "signal", "pattern", "needs"?, "with"?, "unless"?, "fact"?, "if_zero"?,
"note"?}``:

- ``kind``: ``policy`` | ``evidence`` | ``approach`` | ``negative`` (the scale family it speaks to);
- ``signal``: the name the decision table (``decide.py``) reads; several rules may give one signal;
- ``pattern``: a spaCy token pattern (list of token dicts, as for ``Matcher``) or a phrase string
  (matched case-insensitively, token by token, with ``PhraseMatcher``);
- ``needs``: ``social_value`` (the sentence names social value or the Act), ``social_value_near``
  (it or the sentence before does; the default), ``social_value_page`` (its page does: a
  negative answer such as "Not applicable" counts only in a reply about social value) or ``none``;
- ``max_words``: the rule fires only in sentences of at most this many words (a one-line answer,
  not a table row or a paragraph that happens to hold the words);
- ``with``: the rule fires only when the sentence also holds one of these words (a word is
  compared with each token's lower-case form and lemma; several words as a phrase);
- ``unless``: words or phrases that cancel the rule anywhere in the sentence; ``@name`` takes a cue
  list, a line ``{"id": "@name", "kind": "cues", "words": [...], "except"?: [...]}`` of the same
  file, whose ``except`` phrases hide their words ("not only" negates nothing). A capitalised word
  inside a sentence is a name, not a cue: "May 2016" is no "may";
- ``fact``: ``weighting`` | ``count`` | ``share``: the size read from the sentence
  (``svmine.detect.facts``) becomes the signal's value, and a sentence without one gives no
  signal; ``if_zero``: the signal a size of 0 gives
  instead (four procurements is evidence; zero is the negative ``no_procurement``).

Decisions: every field is checked when the file is read, and a bad line stops the load with a
``PatternError`` naming the file and the line (the CLI's exit 2): a typo in a rule must never
quietly mean "no signal". Sentences that end in "?" are the FOI questions repeated in a reply and
are never read (``signals.py``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from svmine.detect.patterns import read_jsonl, validate_pattern
from svmine.errors import PatternError

KINDS = ("policy", "evidence", "approach", "negative")
CUES = "cues"
NEEDS = ("social_value", "social_value_near", "social_value_page", "none")
FACTS = ("weighting", "count", "share")
DATA_PACKAGE = "svmine.assess.data"
RULES_FILE = "rules.jsonl"
_FIELDS = {"id", "kind", "signal", "pattern", "needs", "with", "unless", "fact", "if_zero", "max_words", "note"}
_CUE_FIELDS = {"id", "kind", "words", "except", "note"}


@dataclass(frozen=True)
class AssessRule:
    id: str
    kind: str
    signal: str
    pattern: list[dict[str, Any]] | str
    needs: str = "social_value_near"
    with_words: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()  # cue names (@...) kept as written; ``RuleSet.unless_words`` expands them
    fact: str = ""
    if_zero: str = ""
    max_words: int = 0  # 0: any length
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "") -> "AssessRule":
        _validate(data, where)
        return cls(id=data["id"], kind=data["kind"], signal=data["signal"], pattern=data["pattern"],
                   needs=data.get("needs", "social_value_near"), with_words=tuple(data.get("with", ())),
                   unless=tuple(data.get("unless", ())), fact=data.get("fact", ""), if_zero=data.get("if_zero", ""),
                   max_words=data.get("max_words", 0), note=data.get("note", ""))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "signal": self.signal, "pattern": self.pattern,
                               "needs": self.needs}
        for key, value in (("with", list(self.with_words)), ("unless", list(self.unless)), ("fact", self.fact),
                           ("if_zero", self.if_zero), ("max_words", self.max_words), ("note", self.note)):
            if value:
                out[key] = value
        return out


@dataclass(frozen=True)
class RuleSet:
    """The rules of one file, its cue lists, where it came from and a hash of its bytes."""

    rules: tuple[AssessRule, ...]
    cues: dict[str, tuple[str, ...]] = field(default_factory=dict)
    excepts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # cue list -> phrases that hide its words
    source: str = "<package>/rules.jsonl"
    sha256: str = ""

    def unless_words(self, rule: AssessRule) -> tuple[str, ...]:
        out: list[str] = []
        for word in rule.unless:
            out += self.cues[word] if word.startswith("@") else [word]
        return tuple(out)

    def unless_excepts(self, rule: AssessRule) -> tuple[str, ...]:
        return tuple(p for word in rule.unless if word.startswith("@") for p in self.excepts.get(word, ()))

    def get(self, rule_id: str) -> AssessRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _words(value: Any, where: str, name: str) -> None:
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise PatternError(f"{where}: {name!r} must be a list of non-empty strings")


def _validate(data: Any, where: str) -> None:
    if not isinstance(data, dict):
        raise PatternError(f"{where}: a rule must be a JSON object")
    unknown = set(data) - _FIELDS
    if unknown:
        raise PatternError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(_FIELDS))})")
    for key in ("id", "kind", "signal", "pattern"):
        if key not in data:
            raise PatternError(f"{where}: rule has no {key!r}")
    if not isinstance(data["id"], str) or not data["id"] or data["id"].startswith("@"):
        raise PatternError(f"{where}: 'id' must be a non-empty string not starting with '@'")
    if data["kind"] not in KINDS:
        raise PatternError(f"{where}: rule {data['id']!r}: unknown kind {data['kind']!r} (one of {', '.join(KINDS)}, or cues)")
    if not isinstance(data["signal"], str) or not data["signal"].isidentifier():
        raise PatternError(f"{where}: rule {data['id']!r}: 'signal' must be a name like named_procurement")
    validate_pattern(data["pattern"], f"{where}: rule {data['id']!r}")
    if data.get("needs", "social_value_near") not in NEEDS:
        raise PatternError(f"{where}: rule {data['id']!r}: 'needs' must be one of {', '.join(NEEDS)}")
    if data.get("fact", "") not in ("", *FACTS):
        raise PatternError(f"{where}: rule {data['id']!r}: 'fact' must be one of {', '.join(FACTS)}")
    for name in ("with", "unless"):
        if name in data:
            _words(data[name], f"{where}: rule {data['id']!r}", name)
    if "max_words" in data and (not isinstance(data["max_words"], int) or isinstance(data["max_words"], bool)
                                or data["max_words"] < 1):
        raise PatternError(f"{where}: rule {data['id']!r}: 'max_words' must be a whole number of at least 1")
    if data.get("if_zero") and not data.get("fact"):
        raise PatternError(f"{where}: rule {data['id']!r}: 'if_zero' needs a 'fact'")


def parse_rules(text: str, source: str, data: bytes = b"") -> RuleSet:
    """A RuleSet from JSONL text; PatternError (file:line) on any bad line, duplicate id or unknown cue list."""
    rules: list[AssessRule] = []
    cues: dict[str, tuple[str, ...]] = {}
    excepts: dict[str, tuple[str, ...]] = {}
    where_of: dict[str, str] = {}
    for where, obj in read_jsonl(source, text):
        if isinstance(obj, dict) and obj.get("kind") == CUES:
            if not isinstance(obj.get("id"), str) or not obj["id"].startswith("@"):
                raise PatternError(f"{where}: a cue list's id must start with '@'")
            unknown = set(obj) - _CUE_FIELDS
            if unknown:
                raise PatternError(f"{where}: unknown field(s) {', '.join(sorted(unknown))} in a cue list")
            _words(obj.get("words"), where, "words")
            _words(obj.get("except", []), where, "except")
            cues[obj["id"]] = tuple(obj["words"])
            excepts[obj["id"]] = tuple(obj.get("except", ()))
            continue
        rule = AssessRule.from_dict(obj, where)
        if rule.id in where_of:
            raise PatternError(f"{where}: duplicate rule id {rule.id!r} (first at {where_of[rule.id]})")
        where_of[rule.id] = where
        rules.append(rule)
    for rule in rules:
        missing = [w for w in rule.unless if w.startswith("@") and w not in cues]
        if missing:
            raise PatternError(f"{where_of[rule.id]}: rule {rule.id!r}: no cue list {', '.join(missing)} in {source}")
    if not rules:
        raise PatternError(f"{source}: no rules")
    return RuleSet(tuple(rules), cues, excepts, source, hashlib.sha256(data or text.encode()).hexdigest())


def load_rules(path: str | Path | None = None) -> RuleSet:
    """The packaged rules, or those of ``path`` (which replace them)."""
    if path is None:
        data = resources.files(DATA_PACKAGE).joinpath(RULES_FILE).read_bytes()
        source = f"<package>/{RULES_FILE}"
    else:
        p = Path(path)
        if not p.is_file():
            raise PatternError(f"{p}: no such rules file")
        data, source = p.read_bytes(), str(p)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PatternError(f"{source}: not UTF-8 text") from None
    return parse_rules(text, source, data)
