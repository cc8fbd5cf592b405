"""``svmine_mentions``: a SpanRuler-style component that writes mentions to a span group.

Counting rule (what one mention is)
-----------------------------------
All rules are matched; overlapping matches are then reduced to the longest one (ties: the
earlier start, then exclusion rules first, then file order), and matches of ``exclude`` rules are
dropped. So one mention = one non-overlapping longest match: "the Social Value Act" is one
``social_value`` mention (rule ``sv_act``), not "social value" plus "Act"; "social value
weighting" is one; "social value judgements" is none, because the exclusion rule is longer than
the bare phrase it contains. Each span's ``label_`` is the category and ``id_`` the rule id.

A whitespace token (a line break, double spaces from PDF text, but not a blank line) may occur
between any two tokens of a rule, so "social\\nvalue" matches; gaps are added when a rule is
compiled, not written in data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from svmine.detect.patterns import EXCLUDE, MentionRule, load_rules, parse_rules

# Whitespace between two words of a rule: spaces and at most one line break. A blank line is a
# paragraph break, and a phrase does not run across paragraphs ("donations\n\ncharity partner").
_GAP = {"IS_SPACE": True, "TEXT": {"REGEX": r"^[^\S\n]*\n?[^\S\n]*\Z"}, "OP": "?"}
RULES_FILE = "rules.jsonl"


def compile_pattern(nlp: Language, pattern: list[dict[str, Any]] | str) -> list[dict[str, Any]]:
    """A Matcher pattern: phrases become LOWER tokens; optional whitespace between all tokens."""
    if isinstance(pattern, str):
        tokens = [{"LOWER": t.lower_} for t in nlp.make_doc(pattern) if not t.is_space]
    else:
        tokens = list(pattern)
    out: list[dict[str, Any]] = []
    for token in tokens:
        if out:
            out.append(dict(_GAP))
        out.append(token)
    return out


def trim(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Drop whitespace tokens at the edges: a gap before an absent optional token matches alone."""
    while end > start and doc[end - 1].is_space:
        end -= 1
    while start < end and doc[start].is_space:
        start += 1
    return start, end


class RulesComponent:
    """What both svmine components share: their whole state is a list of rules, loaded by
    ``initialize`` (from the packaged files or a ``patterns_dir``: ``nlp.initialize()`` passes
    the ``[initialize.components.NAME]`` settings) and saved as JSON lines, one rule a line.

    A subclass sets ``rules_file``, ``load`` (patterns_dir -> rules), ``parse`` (where, text ->
    rules) and has ``rules``, ``clear()`` and ``add_rules(rules)``.
    """

    name: str
    rules_file: str
    rules: list

    def clear(self) -> None:
        raise NotImplementedError

    def add_rules(self, rules: Iterable[Any]) -> None:
        raise NotImplementedError

    def load(self, patterns_dir: str | Path | None) -> list:
        raise NotImplementedError

    def parse(self, where: str, text: str) -> list:
        raise NotImplementedError

    def initialize(self, get_examples=None, *, nlp=None, patterns_dir=None) -> None:
        """The rules of ``patterns_dir`` (None: the packaged ones), in place of any loaded before."""
        self.clear()
        self.add_rules(self.load(patterns_dir))

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return "\n".join(json.dumps(r.to_dict(), ensure_ascii=False) for r in self.rules).encode()

    def from_bytes(self, data: bytes, *, exclude=tuple()):
        self.clear()
        self.add_rules(self.parse(f"<{self.name}>", data.decode("utf-8")))
        return self

    def to_disk(self, path: str | Path, *, exclude=tuple()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / self.rules_file).write_bytes(self.to_bytes())

    def from_disk(self, path: str | Path, *, exclude=tuple()):
        file = Path(path) / self.rules_file
        self.clear()
        self.add_rules(self.parse(str(file), file.read_text(encoding="utf-8")))
        return self


class MentionRuler(RulesComponent):
    """Matches the rules, then writes the longest non-overlapping mentions (module docstring)."""

    rules_file = RULES_FILE

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.nlp = nlp
        self.name = name
        self.spans_key = spans_key
        self.clear()

    # -- rules -------------------------------------------------------------------------------
    def load(self, patterns_dir: str | Path | None) -> list[MentionRule]:
        return load_rules(patterns_dir)

    def parse(self, where: str, text: str) -> list[MentionRule]:
        return parse_rules(where, text)

    def add_rules(self, rules: Iterable[MentionRule]) -> None:
        # Exclusions first so they win equal-length ties in filter_spans (a stable sort).
        new = sorted(rules, key=lambda r: r.category != EXCLUDE)
        for rule in new:
            self.matcher.add(rule.id, [compile_pattern(self.nlp, rule.pattern)])
        self.rules = sorted(self.rules + new, key=lambda r: r.category != EXCLUDE)
        self._order = {r.id: i for i, r in enumerate(self.rules)}
        self._category = {r.id: r.category for r in self.rules}

    def clear(self) -> None:
        self.rules: list[MentionRule] = []
        self._order: dict[str, int] = {}
        self._category: dict[str, str] = {}
        self.matcher = Matcher(self.nlp.vocab, validate=True)

    # -- matching ----------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.match(doc))
        return doc

    def match(self, doc: Doc) -> list[Span]:
        spans = []
        for match_id, start, end in self.matcher(doc):
            rule_id = self.nlp.vocab.strings[match_id]
            start, end = trim(doc, start, end)
            spans.append(Span(doc, start, end, label=self._category[rule_id], span_id=rule_id))
        spans.sort(key=lambda s: (s.start, self._order[s.id_]))
        return spans

    def set_annotations(self, doc: Doc, spans: list[Span]) -> None:
        kept = [s for s in filter_spans(spans) if s.label_ != EXCLUDE]
        doc.spans[self.spans_key] = kept


@Language.factory(
    "svmine_mentions",
    assigns=["doc.spans"],
    requires=["token.lemma"],
    default_config={"spans_key": "svmine_mentions"},
)
def make_mention_ruler(nlp: Language, name: str, spans_key: str) -> MentionRuler:
    return MentionRuler(nlp, name, spans_key)
