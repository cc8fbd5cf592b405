"""ConText-style context rules (data: ``data/context.jsonl``) and the ``svmine_context`` component.

Three kinds of rule, one JSON object a line:

``{"id", "flag", "type": "cue", "pattern", "direction", "window"?, "note"?}``
    A trigger phrase or token pattern. It flags a mention in the same sentence when the cue is
    before the mention (``forward``), after it (``backward``) or either (``bidirectional``), at
    most ``window`` non-space tokens away (default: anywhere in the sentence), and no
    ``terminate`` cue ("but", "however", ";") lies between them. Cues of flag ``pseudo``
    ("not only", "no doubt") are matched only to cancel the shorter trigger inside them, as in
    ConText's pseudo-triggers. A ``terminate`` cue's ``direction`` says whose scope it ends:
    ``backward`` only that of cues after the mention (a relative pronoun: "the voluntary sector,
    which are not statutory bodies"), ``forward`` only that of cues before it, ``bidirectional``
    (the default) both.
``{"id", "flag", "type": "line", "regex"}``
    A regular expression searched in the mention's line (citations, page footers, copyright).
``{"id", "flag", "type": "section", "regex"}``
    A heading (whole line, multiline regex) earlier on the page puts everything after it in
    that section (a "References" heading → ``reference``).

A mention's ``context`` maps each flag to the cue text that fired it; for one flag the nearest
cue wins. ``hypothetical`` and ``committed`` exclude each other: the nearer cue decides, a tie
goes to ``hypothetical`` (the cautious reading).

Negation scope, without a parser: a negator flags a mention only when it governs it. Where it
governs a neighbouring word instead, a longer pseudo-trigger cancels it: an adjective or
negative verb after it ("not light on", "not excluded", "will not forget", "no shortage of"),
"not-for-profit"; and a relative clause after the mention ("which are not ...") ends the scope
of the cues after it.

Modality: "should" alone is hypothetical ("commissioners should consider"), but "should"
followed by a verb that sets a requirement ("the new contracts should require suppliers to",
"every bid should include") states what is to be done, and is ``committed`` (rule
``com_should_require``); the longer cue wins over the bare modal.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections import Counter
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import numpy
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from svmine.detect.components import RulesComponent, compile_pattern, trim
from svmine.detect.patterns import decode, read_jsonl, rule_files, validate_pattern
from svmine.errors import PatternError

FLAGS = ("negated", "hypothetical", "committed", "reference", "boilerplate")
PSEUDO, TERMINATE = "pseudo", "terminate"
TYPES = ("cue", "line", "section")
DIRECTIONS = ("forward", "backward", "bidirectional")
MODALITY = ("hypothetical", "committed")
RULES_FILE = "context.jsonl"
# Scope limits that keep the cost per mention independent of the length of its sentence and
# line: a cue rule without a window reaches this many words; line rules see the mention's line
# clipped to this many characters either side of the mention.
MAX_CUE_WINDOW = 60
LINE_WINDOW = 300

if not Span.has_extension("svmine_context"):
    Span.set_extension("svmine_context", default=None)


@dataclass(frozen=True)
class ContextRule:
    id: str
    flag: str
    type: str = "cue"
    pattern: list[dict[str, Any]] | str | None = None
    regex: str | None = None
    direction: str = "bidirectional"
    window: int | None = None
    note: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str = "") -> "ContextRule":
        validate_context_rule(data, where)
        fields = ("id", "flag", "type", "pattern", "regex", "direction", "window", "note")
        return cls(**{k: data[k] for k in fields if k in data})

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "flag": self.flag, "type": self.type}
        if self.type == "cue":
            out.update(pattern=self.pattern, direction=self.direction)
            if self.window is not None:
                out["window"] = self.window
        else:
            out["regex"] = self.regex
        if self.note:
            out["note"] = self.note
        return out

    def pattern_text(self) -> str:
        if self.type != "cue":
            return f"/{self.regex}/"
        text = self.pattern if isinstance(self.pattern, str) else json.dumps(self.pattern, ensure_ascii=False)
        window = f", window {self.window}" if self.window is not None else ""
        return f"{text} ({self.direction}{window})"


def validate_context_rule(data: Any, where: str) -> None:
    if not isinstance(data, dict):
        raise PatternError(f"{where}: a context rule must be a JSON object")
    for key in ("id", "flag"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise PatternError(f"{where}: context rule needs a string {key!r}")
    kind = data.get("type", "cue")
    if data["flag"] not in FLAGS + (PSEUDO, TERMINATE):
        raise PatternError(f"{where}: rule {data['id']!r}: unknown flag {data['flag']!r}")
    if kind not in TYPES:
        raise PatternError(f"{where}: rule {data['id']!r}: unknown type {kind!r} (expected cue, line or section)")
    if kind == "cue":
        if "pattern" not in data:
            raise PatternError(f"{where}: cue rule {data['id']!r} has no 'pattern'")
        validate_pattern(data["pattern"], f"{where}: rule {data['id']!r}")
        if data.get("direction", "bidirectional") not in DIRECTIONS:
            raise PatternError(f"{where}: rule {data['id']!r}: direction must be forward, backward or bidirectional")
        window = data.get("window")
        if window is not None and (not isinstance(window, int) or window < 0):
            raise PatternError(f"{where}: rule {data['id']!r}: window must be a non-negative integer")
        return
    try:
        re.compile(data.get("regex") or "")
    except re.error as exc:
        raise PatternError(f"{where}: rule {data['id']!r}: bad regex ({exc})") from None
    if not data.get("regex"):
        raise PatternError(f"{where}: {kind} rule {data['id']!r} has no 'regex'")


def parse_context_rules(path: str, text: str) -> list[ContextRule]:
    return [ContextRule.from_dict(obj, where) for where, obj in read_jsonl(path, text)]


def load_context_rules(patterns_dir: str | Path | None = None) -> list[ContextRule]:
    rules: list[ContextRule] = []
    for file in rule_files(patterns_dir):
        if file.is_context:
            rules += parse_context_rules(file.name, decode(file))
    return rules


def _words_between(doc: Doc, start: int, end: int) -> int:
    """Non-space tokens in ``doc[start:end]``, from a prefix count made once per Doc."""
    key = "svmine_word_count"
    if key not in doc.user_data:
        words = 1 - doc.to_array("IS_SPACE").astype("int64")
        doc.user_data[key] = numpy.concatenate(([0], numpy.cumsum(words)))
    counts = doc.user_data[key]
    return int(counts[end] - counts[start]) if end > start else 0


def doc_text(doc: Doc) -> str:
    """``doc.text``, kept: spaCy rebuilds it from the tokens on every access (slow on long pages)."""
    key = "svmine_text"
    if key not in doc.user_data:
        doc.user_data[key] = doc.text
    return doc.user_data[key]


class ContextEngine:
    """Finds cues in a Doc and decides the flags of a token span (a mention or a sentence)."""

    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.clear()

    def clear(self) -> None:
        self.rules: list[ContextRule] = []
        self.by_id: dict[str, ContextRule] = {}
        self.matcher = Matcher(self.nlp.vocab, validate=True)
        self.line_rules: list[tuple[ContextRule, re.Pattern]] = []
        self.section_rules: list[tuple[ContextRule, re.Pattern]] = []
        self.max_window = 0
        self._index_of: list[Span] | None = None
        self._index: tuple[list[int], list[int]] = ([], [])

    def add_rules(self, rules: Iterable[ContextRule]) -> None:
        for rule in rules:
            self.rules.append(rule)
            self.by_id[rule.id] = rule
            if rule.type == "cue":
                self.max_window = max(self.max_window, MAX_CUE_WINDOW if rule.window is None else rule.window)
                self.matcher.add(rule.id, [compile_pattern(self.nlp, rule.pattern)])
            elif rule.type == "line":
                self.line_rules.append((rule, re.compile(rule.regex, re.IGNORECASE)))
            else:
                self.section_rules.append((rule, re.compile(rule.regex, re.IGNORECASE | re.MULTILINE)))

    def cues(self, doc: Doc, start: int = 0, end: int | None = None) -> list[Span]:
        """Cue spans in ``doc[start:end]`` (longest match wins, pseudo-triggers removed), sorted,
        each with ``label_`` = flag and ``id_`` = rule id."""
        end = len(doc) if end is None else end
        spans = []
        for match_id, s, e in self.matcher(doc[start:end]):
            flag = self.by_id[self.nlp.vocab.strings[match_id]].flag
            s, e = trim(doc, start + s, start + e)
            spans.append(Span(doc, s, e, label=flag, span_id=match_id))
        return [s for s in filter_spans(spans) if s.label_ != PSEUDO]

    def flags(
        self, doc: Doc, start: int, end: int, cues: list[Span] | None = None, sentence: tuple[int, int] | None = None
    ) -> dict[str, str]:
        """Flags for tokens ``doc[start:end]``: cue rules within its sentence, then line/section rules.

        ``sentence`` (token start, end) saves looking the sentence up, which is slow on long Docs;
        ``cues`` may hold the cues of that sentence or of the whole Doc.
        """
        if sentence is None:
            sent = doc[start].sent
            sentence = (sent.start, sent.end)
        cues = self.cues(doc, *sentence) if cues is None else cues
        found = self._cue_flags(doc, start, end, cues, sentence)
        last = doc[end - 1]
        found.update(self._text_flags(doc, doc[start].idx, last.idx + len(last), found))
        return {flag: cue for flag, (_, cue) in sorted(found.items())}

    def _cue_flags(self, doc: Doc, start: int, end: int, cues: list[Span], sentence: tuple[int, int]) -> dict[str, tuple[int, str]]:
        found: dict[str, tuple[int, str]] = {}
        local = self._near(doc, start, end, cues, sentence)
        terminators = [(c, self.by_id[c.id_].direction) for c in local if c.label_ == TERMINATE]
        for cue in local:
            if cue.label_ == TERMINATE:
                continue
            distance = self._distance(doc, cue, start, end, terminators)
            if distance is None:
                continue
            if cue.label_ not in found or distance < found[cue.label_][0]:
                found[cue.label_] = (distance, cue.text)
        if all(flag in found for flag in MODALITY):
            loser = "hypothetical" if found["committed"][0] < found["hypothetical"][0] else "committed"
            del found[loser]
        return found

    def _near(self, doc: Doc, start: int, end: int, cues: list[Span], sentence: tuple[int, int]) -> list[Span]:
        """Cues of ``sentence`` at most ``max_window`` words from ``doc[start:end]`` (or inside it).

        A cue further away cannot fire (every rule's window is at most ``max_window``), nor can a
        terminator there come between a cue and the span, so the result is the same as looking
        at the whole sentence, at a cost that does not grow with the sentence's length.
        """
        if cues is not self._index_of:
            self._index_of = cues  # callers pass the same list for every mention of a sentence
            self._index = ([c.start for c in cues], [c.end for c in cues])
        starts, ends = self._index
        _words_between(doc, 0, 0)  # builds the prefix count
        counts = doc.user_data["svmine_word_count"]
        lo_token = int(numpy.searchsorted(counts, counts[start] - self.max_window, "left"))
        hi_token = int(numpy.searchsorted(counts, counts[end] + self.max_window, "right")) - 1
        lo = bisect_left(ends, max(lo_token, sentence[0] + 1))
        hi = bisect_right(starts, min(hi_token, sentence[1] - 1))
        return [c for c in cues[lo:hi] if c.start >= sentence[0] and c.end <= sentence[1]]

    def _distance(self, doc: Doc, cue: Span, start: int, end: int, terminators: list[tuple[Span, str]]) -> int | None:
        rule = self.by_id[cue.id_]
        if cue.start >= start and cue.end <= end:
            return 0  # a cue inside the span (implicit mentions are whole sentences)
        if cue.end <= start and rule.direction in ("forward", "bidirectional"):
            lo, hi, scope = cue.end, start, "forward"
        elif cue.start >= end and rule.direction in ("backward", "bidirectional"):
            lo, hi, scope = end, cue.start, "backward"
        else:
            return None
        if any(t.start >= lo and t.end <= hi and direction in (scope, "bidirectional") for t, direction in terminators):
            return None
        distance = _words_between(doc, lo, hi)
        window = self.max_window if rule.window is None else rule.window
        return distance if distance <= window else None

    def _text_flags(self, doc: Doc, start_char: int, end_char: int, found: dict) -> dict[str, tuple[int, str]]:
        text = doc_text(doc)
        out: dict[str, tuple[int, str]] = {}
        lo = max(0, start_char - LINE_WINDOW)
        lo = text.rfind("\n", lo, start_char) + 1 or lo
        hi = text.find("\n", end_char, end_char + LINE_WINDOW)
        hi = hi if hi >= 0 else min(len(text), end_char + LINE_WINDOW)
        # A line cut short at its start gets a NUL before it, so "^"-anchored rules (a citation
        # at the start of a line) do not take the cut for the start of the line.
        line = ("\0" if lo > 0 and text[lo - 1] != "\n" else "") + text[lo:hi]
        for rule, regex in self.line_rules:
            m = regex.search(line)
            if m and rule.flag not in found and rule.flag not in out:
                out[rule.flag] = (0, m.group(0).strip())
        # A heading line ends at its line break, so one ending before the mention is on an
        # earlier line.
        headings = self._headings(doc)
        for _, flag, heading in reversed(headings[: bisect_left(headings, (start_char,))]):
            if flag not in found and flag not in out:
                out[flag] = (0, heading)
        return out

    def section_at_end(self, doc: Doc) -> dict[str, str]:
        """Flag → heading of the sections still open at the end of the page (e.g. References)."""
        return {flag: heading for _, flag, heading in self._headings(doc)}

    def _headings(self, doc: Doc) -> list[tuple[int, str, str]]:
        """(end offset, flag, heading text) of section headings, found once per Doc."""
        key = ("svmine_headings", id(self))
        if key not in doc.user_data:
            text = doc_text(doc)
            found = [(m.end(), rule.flag, m.group(0).strip()) for rule, regex in self.section_rules for m in regex.finditer(text)]
            doc.user_data[key] = sorted(found)
        return doc.user_data[key]


REPEATED_MIN_PAGES = 3
# A reference list runs on to the next page when that many of its lines look like citations.
CITATION_SHARE = 0.3
_CITATION_LINE = re.compile(r"\b(?:19|20)\d\d[a-z]?\b|\bet al\b|https?://|www\.|\bdoi\b", re.IGNORECASE)


class DocumentContext:
    """The flags that need the whole document, found in one pass over its pages.

    - ``boilerplate``: a line (digits folded, so "Page 3" ~ "Page 4") that repeats on at least
      three pages and half the pages is a running header/footer extraction did not strip.
    - ``reference``: a "References"/"Bibliography" section (a section rule) runs on to the
      following pages while at least 30% of their lines look like citations (a year, "et al",
      a URL or DOI); the cue is the heading and the page it started on.
    Neither overrides a flag the mention already has.
    """

    def __init__(self, engine: ContextEngine, page_texts: list[str], page_numbers: list[int], docs: list[Doc]):
        self.repeated = _repeated_lines(page_texts)
        self.references: list[str | None] = []  # per page index: the open reference list, if any
        open_refs: str | None = None
        for text, number, doc in zip(page_texts, page_numbers, docs):
            open_refs = open_refs if open_refs and _citation_share(text) >= CITATION_SHARE else None
            self.references.append(open_refs)
            heading = engine.section_at_end(doc).get("reference")
            open_refs = f"{heading} (page {number})" if heading else open_refs

    def running_line(self, text: str, char: int) -> int:
        """On how many pages the line holding ``text[char]`` repeats (0: not a running line)."""
        if not self.repeated:
            return 0
        start = text.rfind("\n", 0, char) + 1
        end = text.find("\n", char)
        return self.repeated.get(_normal_line(text[start : end if end >= 0 else len(text)]), 0)

    def flag(self, index: int, text: str, char: int, flags: dict[str, str]) -> None:
        """Add the document-wide flags of a mention at ``text[char]`` on page ``index`` to ``flags``."""
        if "boilerplate" not in flags:
            n = self.running_line(text, char)
            if n:
                flags["boilerplate"] = f"line repeated on {n} pages"
        if self.references[index]:
            flags.setdefault("reference", self.references[index])


def _citation_share(text: str) -> float:
    lines = [x for x in text.split("\n") if len(x.split()) >= 3]
    return sum(1 for x in lines if _CITATION_LINE.search(x)) / len(lines) if lines else 0.0


def _normal_line(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _repeated_lines(page_texts: list[str]) -> dict[str, int]:
    if len(page_texts) < REPEATED_MIN_PAGES:
        return {}
    counts = Counter(line for text in page_texts for line in {_normal_line(x) for x in text.split("\n")} if line)
    need = max(REPEATED_MIN_PAGES, len(page_texts) / 2)
    return {line: n for line, n in counts.items() if n >= need}


class ContextComponent(RulesComponent):
    """Sets ``span._.svmine_context`` (flag → cue) on every span of the mentions span group."""

    rules_file = RULES_FILE

    def __init__(self, nlp: Language, name: str, spans_key: str):
        self.name = name
        self.spans_key = spans_key
        self.engine = ContextEngine(nlp)

    @property
    def rules(self) -> list[ContextRule]:
        return self.engine.rules

    def load(self, patterns_dir: str | Path | None) -> list[ContextRule]:
        return load_context_rules(patterns_dir)

    def parse(self, where: str, text: str) -> list[ContextRule]:
        return parse_context_rules(where, text)

    def clear(self) -> None:
        self.engine.clear()

    def add_rules(self, rules: Iterable[ContextRule]) -> None:
        self.engine.add_rules(rules)

    def sentence_flags(self, doc: Doc, start: int, end: int) -> dict[str, str]:
        """Flags of the sentence ``doc[start:end]`` as a whole (an implicit mention)."""
        return self.engine.flags(doc, start, end, sentence=(start, end))

    def document(self, pages, docs: list[Doc]) -> DocumentContext:
        """The per-document pass over ``pages`` (``Page`` records) and their processed Docs."""
        return DocumentContext(self.engine, [p.text for p in pages], [p.number for p in pages], docs)

    def __call__(self, doc: Doc) -> Doc:
        spans = doc.spans.get(self.spans_key, [])
        if len(spans):
            starts = [s.start for s in doc.sents]
            bounds = list(zip(starts, starts[1:] + [len(doc)]))
            cues_of: dict[tuple[int, int], list[Span]] = {}  # cues are only looked for near mentions
            for span in spans:
                sentence = bounds[bisect_right(starts, span.start) - 1]
                if sentence not in cues_of:
                    cues_of[sentence] = self.engine.cues(doc, *sentence)
                span._.svmine_context = self.engine.flags(doc, span.start, span.end, cues_of[sentence], sentence)
        return doc


@Language.factory("svmine_context", requires=["doc.spans", "token.is_sent_start"], default_config={"spans_key": "svmine_mentions"})
def make_context(nlp: Language, name: str, spans_key: str) -> ContextComponent:
    return ContextComponent(nlp, name, spans_key)
