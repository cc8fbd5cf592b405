"""Signals: the assessment rules (``rules.py``) run over the sentences of stored pages.

The pipeline is svmine's own (``detect.pipeline.make_pipeline``, without context flags): PDF-robust
sentences, lemmas from spacy-lookups-data and the social value mentions, which ``needs`` reads.
Token patterns go to a spaCy ``Matcher``, phrase strings to a ``PhraseMatcher`` on lower case.

Decisions:
- A match counts only inside one sentence, and a sentence gives a signal at most once (the first
  rule in file order that gives it wins), so one sentence read twice cannot count twice.
- Sentences ending in "?" are FOI questions repeated in the reply ("what is the typical
  weighting for social value?"): they are never read, or every reply would "have a weighting".
- Sizes come from ``svmine.detect.facts``: a rule with a ``fact`` whose sentence holds no size is
  no signal (another rule, without a fact, may still find a weighting of unknown size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from svmine.assess.model import Signal
from svmine.assess.rules import AssessRule, RuleSet
from svmine.detect import facts

SOCIAL_VALUE = "social_value"


@dataclass(frozen=True)
class PageText:
    """One stored page to read: its document's path and sha256, number and text."""

    document: str
    sha256: str
    page: int
    text: str


class SignalFinder:
    """Compiled rules over svmine's pipeline; ``find(pages)`` gives their signals."""

    def __init__(self, ruleset: RuleSet, nlp=None):
        from spacy.matcher import Matcher, PhraseMatcher

        from svmine.detect.pipeline import make_pipeline

        self.ruleset = ruleset
        self.nlp = nlp or make_pipeline(context=False)
        self.matcher = Matcher(self.nlp.vocab)
        self.phrases = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.rules: dict[str, AssessRule] = {}
        self.order = {r.id: i for i, r in enumerate(ruleset.rules)}
        for rule in ruleset.rules:
            self.rules[rule.id] = rule
            if isinstance(rule.pattern, str):
                self.phrases.add(rule.id, [self.nlp.make_doc(rule.pattern)])
            else:
                self.matcher.add(rule.id, [rule.pattern])
        self._unless = {r.id: _WordSet(ruleset.unless_words(r), ruleset.unless_excepts(r), skip_names=True)
                        for r in ruleset.rules}
        self._with = {r.id: _WordSet(r.with_words) for r in ruleset.rules}

    def find(self, pages: Iterable[PageText]) -> list[Signal]:
        out: list[Signal] = []
        for page in pages:
            if page.text.strip():
                out += self._page(page)
        return out

    def _page(self, page: PageText) -> list[Signal]:
        doc = self.nlp(page.text)
        sents = list(doc.sents)
        sent_of = {}
        for i, sent in enumerate(sents):
            for t in range(sent.start, sent.end):
                sent_of[t] = i
        anchors = [(s.start, s.end) for s in doc.spans.get("svmine_mentions", []) if s.label_ == SOCIAL_VALUE]
        has_sv = [any(sent.start <= a < sent.end for a, _ in anchors) for sent in sents]
        found: dict[tuple[int, str], tuple[int, Signal]] = {}
        matches = [(self.nlp.vocab.strings[m], s, e) for m, s, e in [*self.matcher(doc), *self.phrases(doc)]]
        for rule_id, start, end in sorted(matches, key=lambda m: (m[1], self.order[m[0]])):
            i = sent_of[start]
            if sent_of.get(end - 1) != i:
                continue
            rule = self.rules[rule_id]
            signal = self._signal(rule, sents[i], has_sv, i, anchors, page)
            if signal is None:
                continue
            key = (i, signal.signal)
            if key not in found or self.order[rule_id] < found[key][0]:
                found[key] = (self.order[rule_id], signal)
        return [s for _, s in sorted(found.values(), key=lambda x: (x[1].start, x[0]))]

    def _signal(self, rule: AssessRule, sent, has_sv: list[bool], i: int, anchors, page: PageText) -> Signal | None:
        text = sent.text
        if text.rstrip().endswith("?"):
            return None
        if rule.needs == "social_value" and not has_sv[i]:
            return None
        if rule.needs == "social_value_near" and not (has_sv[i] or (i and has_sv[i - 1])):
            return None
        if rule.needs == "social_value_page" and not any(has_sv):
            return None
        if rule.max_words and len(text.split()) > rule.max_words:
            return None
        if rule.with_words and not self._with[rule.id].found(sent):
            return None
        if self._unless[rule.id].found(sent):
            return None
        value, name, kind = None, rule.signal, rule.kind
        if rule.fact:
            value = _fact(rule.fact, sent, anchors)
            if value is None:
                return None
            if value == 0 and rule.if_zero:
                name, kind = rule.if_zero, "negative"
        start = sent.start_char + (len(text) - len(text.lstrip()))
        return Signal(rule_id=rule.id, kind=kind, document=page.document, sha256=page.sha256, page=page.page,
                      quote=" ".join(text.split()), value=value, start=start, end=sent.end_char, signal=name)


def _fact(kind: str, sent, anchors: list[tuple[int, int]]) -> float | None:
    text = sent.text
    if kind == "count":
        return facts.procurement_count(text)
    if kind == "share":
        return facts.contract_share(text)
    doc = sent.doc
    local = [(doc[a].idx - sent.start_char, doc[b - 1].idx + len(doc[b - 1]) - sent.start_char)
             for a, b in anchors if sent.start <= a < sent.end]
    return facts.weighting_percent(text, local)


class _WordSet:
    """Words (compared with each token's lower case and lemma) and phrases (whole words in the
    lower-cased sentence) of a rule's ``with`` or ``unless``. With ``skip_names`` (``unless``) a
    capitalised token inside a sentence is a name ("May 2016"), never a cue word; tokens inside an
    ``excepts`` phrase ("not only") are not read."""

    def __init__(self, words: Iterable[str], excepts: Iterable[str] = (), skip_names: bool = False):
        self.skip_names = skip_names
        words = [w.lower().strip() for w in words]
        self.single = {w for w in words if " " not in w}
        self.phrases = _alternation(w for w in words if " " in w)
        self.excepts = _alternation(excepts)

    def found(self, sent) -> bool:
        text = sent.text.lower()
        hidden = [m.span() for m in self.excepts.finditer(text)] if self.excepts else []
        if self.phrases:
            masked = text
            for a, b in hidden:
                masked = masked[:a] + " " * (b - a) + masked[b:]
            if self.phrases.search(" ".join(masked.split())):
                return True
        for t in sent:
            if t.lower_ not in self.single and t.lemma_ not in self.single:
                continue
            if self.skip_names and t.is_title and not t.is_sent_start and len(t) > 1:
                continue
            at = t.idx - sent.start_char
            if not any(a <= at < b for a, b in hidden):
                return True
        return False


def _alternation(phrases: Iterable[str]) -> re.Pattern | None:
    phrases = [p.lower().strip() for p in phrases]
    return re.compile("|".join(rf"\b{re.escape(p)}\b" for p in phrases if p)) if any(phrases) else None
