"""``Detector``: pages → mentions (patterns + classifier) and policy facts.

Each page is its own spaCy Doc (``nlp.pipe`` over the pages), so token offsets are offsets into
``Page.text``, as the records require. The classifier, when present, sees once, in one batch (one
vectoriser pass) per document, only the sentences that need it:

- sentences passing the lever gate (``levers.py``: a whole sentence, not a heading, table-of-
  contents line or fragment, naming a lever such as buying, commissioning, contracting, spending,
  employing or estates) and not on a line repeated across pages (page furniture);
- sentences holding a pattern mention, for the mention's probability.

Every other sentence is ``other`` without a model call (precision first, and cheaper):

- a pattern mention gets the classifier's probability of its label (``social_value_explicit``
  or ``vcse``) for its sentence, so a reviewer can sort weak matches;
- a sentence the classifier judges ``social_value_implicit`` (probability ≥ its threshold), that
  holds no social value pattern and has at least eight words becomes an ``implicit`` mention
  whose text is the sentence.

Context flags all come from the context component (``context.py``): per mention and sentence,
and, for what needs the whole document (running lines flagged ``boilerplate``, reference lists
that run on to later pages), its per-document pass ``DocumentContext``.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svmine.detect.facts import Sentence, facts_for_page
from svmine.detect.levers import lever_gate
from svmine.detect.patterns import files_hash, rule_files
from svmine.detect.pipeline import SPANS_KEY, make_pipeline
from svmine.hashing import sha256_file
from svmine.model import (
    CATEGORY_SOCIAL_VALUE,
    KIND_EXPLICIT,
    KIND_IMPLICIT,
    LABEL_IMPLICIT,
    LABEL_OF_CATEGORY,
    SOURCE_CLASSIFIER,
    SOURCE_PATTERN,
    Document,
    Mention,
    Page,
    PolicyFact,
)

DEFAULT = "default"  # model_path sentinel: the classifier's default model file
MIN_CLASSIFIED_WORDS = 3
# Headings, table header rows and one-liners ("Commitments to local partners") say too little
# to carry social value on their own; the classifier over-reads their few words.
MIN_IMPLICIT_WORDS = 8


@dataclass
class DetectionResult:
    mentions: list[Mention] = field(default_factory=list)
    facts: list[PolicyFact] = field(default_factory=list)
    page_texts: dict[int, str] = field(default_factory=dict, repr=False)  # for showing context

    def to_dict(self) -> dict[str, Any]:
        return {"mentions": [m.to_dict() for m in self.mentions], "facts": [f.to_dict() for f in self.facts]}


@dataclass
class _Sent:
    start: int  # token indices in the page Doc
    end: int
    start_char: int  # stripped character offsets in the page text
    end_char: int
    text: str
    probs: dict[str, float] | None = None
    gated: bool = False  # may be implicit social value (lever gate passed)


def _load_classifier(model_path):
    if hasattr(model_path, "predict_proba"):  # loaded already (svmine.detect.compiled: the fast start)
        return model_path
    try:
        from svmine.detect.classifier import load_classifier
    except ImportError:  # classifier module not installed: patterns only
        return None
    return load_classifier(None if model_path == DEFAULT else model_path)


def _model_hash(classifier) -> str:
    """sha256 of the model file: the one load_classifier verified, else read from its path."""
    if classifier is None:
        return "none"
    verified = getattr(classifier, "sha256", None)
    if verified:
        return verified
    path = getattr(classifier, "path", None)
    if path is not None and Path(path).is_file():
        return sha256_file(path)
    return "none"


class Detector:
    def __init__(self, patterns_dir: str | Path | None = None, model_path: Any = DEFAULT, use_classifier: bool = True):
        self.patterns_dir = patterns_dir
        self.rule_files = rule_files(patterns_dir)
        self.nlp = make_pipeline(patterns_dir)
        self.context = self.nlp.get_pipe("svmine_context")
        self.gate = lever_gate(patterns_dir)
        self.classifier = _load_classifier(model_path) if use_classifier else None
        # Computed once: the rule bytes are already in memory and load_classifier has verified the
        # model file's sha256, so a scan need not re-read either for every document.
        self._fingerprint = {
            "pattern_hash": files_hash(self.rule_files),
            "model_hash": _model_hash(self.classifier),
        }

    def fingerprint(self) -> dict[str, str]:
        """Hashes of the rule files and of the model this detector was built from."""
        return dict(self._fingerprint)

    def detect_text(self, text: str, page: int = 1, document: str = "<text>") -> DetectionResult:
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self.detect(Document(path=document, sha256=sha, format="text", pages=[Page(number=page, text=text)]))

    def detect(self, doc: Document) -> DetectionResult:
        spacy_docs = list(self.nlp.pipe((p.text for p in doc.pages), batch_size=16))
        sents = [self._sentences(d, p.text) for d, p in zip(spacy_docs, doc.pages)]
        whole = self.context.document(doc.pages, spacy_docs)
        self._classify(sents, spacy_docs, doc.pages, whole)
        result = DetectionResult(page_texts={p.number: p.text for p in doc.pages})
        for index, (page, sdoc, page_sents) in enumerate(zip(doc.pages, spacy_docs, sents)):
            mentions = self._page_mentions(doc, page, sdoc, page_sents)
            for mention in mentions:
                whole.flag(index, page.text, mention.start, mention.context)
            result.mentions += mentions
            result.facts += self._page_facts(doc, page, page_sents, mentions)
        return result

    # -- sentences and classifier ------------------------------------------------------------
    @staticmethod
    def _sentences(sdoc, page_text: str) -> list[_Sent]:
        out = []
        for sent in sdoc.sents:
            raw = page_text[sent.start_char : sent.end_char]  # Span.text would rebuild it token by token
            lead = len(raw) - len(raw.lstrip())
            text = raw.strip()
            if text:
                start_char = sent.start_char + lead
                out.append(_Sent(sent.start, sent.end, start_char, start_char + len(text), text))
        return out

    def _classify(self, pages: list[list[_Sent]], spacy_docs, doc_pages: list[Page], whole) -> None:
        if self.classifier is None:
            return
        todo = []
        for sents, sdoc, page in zip(pages, spacy_docs, doc_pages):
            with_mention = {_sentence_of(sents, span.start_char).start_char
                            for span in sdoc.spans.get(SPANS_KEY, []) if _sentence_of(sents, span.start_char)}
            for s in sents:
                s.gated = self.gate.gated(s.text) and not ("\n" not in s.text and whole.running_line(page.text, s.start_char))
                if s.gated or (s.start_char in with_mention and len(s.text.split()) >= MIN_CLASSIFIED_WORDS):
                    todo.append(s)
        for sent, probs in zip(todo, self.classifier.predict_proba([s.text for s in todo])):
            sent.probs = probs

    def _threshold(self, label: str) -> float:
        get = getattr(self.classifier, "threshold", None)
        return float(get(label)) if callable(get) else 0.5

    # -- mentions ----------------------------------------------------------------------------
    def _page_mentions(self, doc: Document, page: Page, sdoc, sents: list[_Sent]) -> list[Mention]:
        mentions = []
        for span in sdoc.spans.get(SPANS_KEY, []):
            sent = _sentence_of(sents, span.start_char)
            label = LABEL_OF_CATEGORY.get(span.label_)
            prob = sent.probs.get(label) if sent and sent.probs and label else None
            mention = Mention(
                doc.path, doc.sha256, page.number, span.label_, KIND_EXPLICIT, SOURCE_PATTERN, span.text,
                span.start_char, span.end_char, sent.text if sent else span.text,
                sent.start_char if sent else span.start_char, sent.end_char if sent else span.end_char,
                pattern_id=span.id_, label=label if prob is not None else None, probability=prob,
                context=dict(span._.svmine_context or {}),
            )
            mentions.append(mention)
        mentions += self._implicit(doc, page, sdoc, sents, mentions)
        return sorted(mentions, key=lambda m: (m.start, m.end))

    def _implicit(self, doc, page, sdoc, sents, explicit) -> list[Mention]:
        if self.classifier is None:
            return []
        threshold = self._threshold(LABEL_IMPLICIT)
        named = {m.sentence_start for m in explicit if m.category == CATEGORY_SOCIAL_VALUE}
        out = []
        for sent in sents:
            prob = (sent.probs or {}).get(LABEL_IMPLICIT)
            if not sent.gated or prob is None or prob < threshold or sent.start_char in named or _words(sent.text) < MIN_IMPLICIT_WORDS:
                continue
            flags = self.context.sentence_flags(sdoc, sent.start, sent.end)
            mention = Mention(
                doc.path, doc.sha256, page.number, CATEGORY_SOCIAL_VALUE, KIND_IMPLICIT, SOURCE_CLASSIFIER, sent.text,
                sent.start_char, sent.end_char, sent.text, sent.start_char, sent.end_char,
                label=LABEL_IMPLICIT, probability=prob, context=flags,
            )
            out.append(mention)
        return out

    # -- facts -------------------------------------------------------------------------------
    @staticmethod
    def _page_facts(doc: Document, page: Page, sents: list[_Sent], mentions: list[Mention]) -> list[PolicyFact]:
        anchors: dict[int, list[tuple[int, int]]] = {}
        for m in mentions:
            if m.category == CATEGORY_SOCIAL_VALUE:
                anchors.setdefault(m.sentence_start, []).append((m.start - m.sentence_start, m.end - m.sentence_start))
        sentences = [Sentence(s.start_char, s.end_char, s.text, anchors.get(s.start_char, [])) for s in sents]
        return facts_for_page(sentences, page.number, doc.path, doc.sha256)


def _words(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalpha() for c in w))


def _sentence_of(sents: list[_Sent], char: int) -> _Sent | None:
    i = bisect_right([s.start_char for s in sents], char) - 1
    return sents[i] if i >= 0 and char < sents[i].end_char else None


@dataclass
class FileDetection:
    """One input file's outcome in a batch: a result, or the error that stopped it."""

    path: Path
    result: DetectionResult | None = None
    error: str | None = None
    code: str | None = None


def detect_paths(paths, detector: Detector, **extract_options):
    """Extract and detect each file under ``paths`` (sorted walk); yields ``FileDetection``.

    A file that cannot be extracted (or breaks detection) is reported and the batch goes on.
    """
    from svmine.errors import SvmineError
    from svmine.extract import extract_document, iter_input_files

    for path in iter_input_files(paths):
        try:
            yield FileDetection(path, detector.detect(extract_document(path, **extract_options)))
        except SvmineError as exc:
            yield FileDetection(path, error=str(exc), code=exc.code)
        except Exception as exc:  # a bug on one file must not lose the rest of the batch
            yield FileDetection(path, error=f"{path}: {type(exc).__name__}: {exc}", code="internal_error")
