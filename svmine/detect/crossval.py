"""Leave-one-document-out cross-validation on the real-text gold (``svmine evaluate --cv documents``).

The held-out split of ``annotations/gold/real.jsonl`` was scored many times while the lever gate,
the hard negatives and the threshold were tuned, and the tune split holds one implicit sentence,
so neither measures the classifier honestly any more. This module gives the estimate to report
and to choose recipes by: for each real document, train on the in-house annotation set plus the
gold sentences of the *other* real documents (text resolved from the shared folder at train time,
as the shipped training does), score the left-out document through the Detector, pool the
predictions of all folds and score them per label. No document's own labels touch its
predictions.

Decisions:

- **Grouped by document** (:func:`document_folds`): every sentence of a document is on the same
  side of every fold. Sentences of one document share wording, layout damage and topic; a
  sentence-level split would let the model learn a document's register from its neighbours.
- **The Detector decides, the fold model only scores.** Each document is extracted and run
  through the Detector once, with a probe classifier that passes every sentence the Detector asks
  about (:class:`_CandidateProbe`), so the implicit mentions it reports are exactly the
  *candidates*: classifiable sentences passing the lever gate, not page furniture, of eight words
  or more, naming no social value pattern. Each fold's model then scores its document's
  candidates; a candidate is an implicit hit when its calibrated probability reaches the
  threshold. This is the same decision ``Detector._implicit`` makes, without running spaCy once
  per fold and recipe, and it gives the whole threshold sweep from one run. Pattern mentions
  (explicit social value, VCSE) do not depend on the model, so their figures are the Detector's
  own, pooled the same way.
- **Fold training = the shipped recipe on the implicit label**: TF-IDF features fitted on the
  fold's training texts, Platt calibration fitted on out-of-fold probabilities of the fold's gated
  training sentences (inner 5-fold over the fold's feature matrix), then the implicit model on all
  of them. Only the implicit label's model is fitted (one-vs-rest fits each label on its own, so
  it is the same model the full pipeline would hold); the inner folds share the fold's vectoriser,
  which differs from ``svmine train`` only in the IDF weights the calibration folds see.
- Which real sentences join the training side is the recipe
  (:data:`svmine.detect.training.REAL_EXAMPLES`): ``none``, ``negatives`` (the sentences without
  the implicit label, with their own labels) or ``all``.
- Predictions outside every gold sentence count as false positives of their label, as in
  :func:`svmine.detect.evaluation.evaluate_real`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from svmine.detect.evaluation import label_scores, prf
from svmine.model import LABEL_IMPLICIT, LABEL_OF_CATEGORY, LABELS

REAL_CHOICES = ("none", "negatives", "all")
SWEEP = [round(0.5 + 0.05 * i, 2) for i in range(10)]  # 0.50 ... 0.95


def document_folds(docs: Sequence[str]) -> list[tuple[str, list[int], list[int]]]:
    """One fold per distinct document: (document, train indices, test indices), documents sorted.

    ``docs[i]`` is the document of item ``i``; an item is on the test side exactly when its
    document is the fold's, so no document is ever on both sides.
    """
    out = []
    for doc in sorted(set(docs)):
        test = [i for i, d in enumerate(docs) if d == doc]
        train = [i for i, d in enumerate(docs) if d != doc]
        out.append((doc, train, test))
    return out


def real_training_examples(records: Sequence, mode: str, exclude: str | None = None) -> list[dict[str, Any]]:
    """Gold sentences (resolved text) of documents other than ``exclude`` as training examples.

    ``mode``: ``none`` (no examples), ``negatives`` (sentences without the implicit label, with
    their own labels) or ``all``.
    """
    if mode not in REAL_CHOICES:
        raise ValueError(f"real examples must be one of {', '.join(REAL_CHOICES)}")
    if mode == "none":
        return []
    return [{"id": f"real-{r.id}", "text": r.text, "labels": list(r.labels)} for r in records
            if r.doc != exclude and r.text and (mode == "all" or LABEL_IMPLICIT not in r.labels)]


class _CandidateProbe:
    """Stands in for the classifier in the Detector: every sentence it is asked about gets implicit
    probability 1 and the threshold is 0, so the Detector reports every implicit candidate."""

    labels = list(LABELS)
    path = None
    sha256 = None

    def threshold(self, label: str) -> float:
        return 0.0

    def predict_proba(self, sentences):
        return [{lab: float(lab == LABEL_IMPLICIT) for lab in LABELS} for _ in sentences]


@dataclass
class _Candidate:
    doc: str
    page: int
    text: str
    gold_id: str | None
    probability: float = 0.0


@dataclass
class _DocRun:
    doc: str
    pattern_pred: dict[str, set[str]]  # gold id -> pattern labels
    pattern_unmatched: dict[str, int]
    candidates: list[_Candidate]
    not_located: int


def _run_document(detector, root: Path, doc: str, recs: list) -> _DocRun:
    from svmine.detect.evaluation import _detector_labels
    from svmine.detect.gold import locate
    from svmine.extract import extract_document

    result = detector.detect(extract_document(root / doc))
    by_page: dict[int, list] = defaultdict(list)
    for rec in recs:
        by_page[rec.page].append(rec)
    located: dict[str, tuple[int, int]] = {}
    not_located = 0
    for page, page_recs in by_page.items():
        found = locate(page_recs, result.page_texts.get(page, ""))
        not_located += len(page_recs) - len(found)
        located.update(found)
    implicit = [m for m in result.mentions if m.kind == "implicit"]
    result.mentions = [m for m in result.mentions if m.kind != "implicit"]
    pattern_pred, unmatched = _detector_labels(result, by_page, located)
    candidates = []
    for m in implicit:
        mid = (m.sentence_start + m.sentence_end) // 2
        hit = next((g.id for g in by_page.get(m.page, [])
                    if g.id in located and located[g.id][0] <= mid < located[g.id][1]), None)
        candidates.append(_Candidate(doc, m.page, m.sentence, hit))
    return _DocRun(doc, pattern_pred, unmatched, candidates, not_located)


def _fit_implicit(train: Sequence[dict], params: dict, folds: int = 5) -> Callable[[list[str]], list[float]]:
    """Calibrated implicit probabilities from a model fitted on ``train`` (module docstring)."""
    import numpy as np
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    from svmine.detect.classifier import build_pipeline, normalise, platt
    from svmine.detect.levers import lever_gate
    from svmine.detect.training import fit_platt

    pipeline = build_pipeline(**params)
    features, model = pipeline.named_steps["features"], pipeline.named_steps["clf"].estimator
    x = features.fit_transform([normalise(r["text"]) for r in train])
    y = np.array([LABEL_IMPLICIT in r["labels"] for r in train], dtype=int)
    oof = np.zeros(len(train))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.get("random_state", 0))
    for inner_train, inner_test in splitter.split(x, y):
        oof[inner_test] = clone(model).fit(x[inner_train], y[inner_train]).predict_proba(x[inner_test])[:, 1]
    gate = lever_gate()
    gated = [gate.gated(r["text"]) for r in train]
    a_b = fit_platt([bool(t) for t, g in zip(y, gated) if g], [p for p, g in zip(oof, gated) if g])
    final = clone(model).fit(x, y)

    def score(texts: list[str]) -> list[float]:
        if not texts:
            return []
        raw = final.predict_proba(features.transform([normalise(t) for t in texts]))[:, 1]
        return [platt(float(p), a_b["a"], a_b["b"]) for p in raw]

    return score


@dataclass
class CrossValidation:
    """Pooled leave-one-document-out figures (see the module docstring)."""

    real_examples: str
    threshold: float
    documents: int
    n: int
    scores: dict[str, dict[str, Any]]
    implicit_gold: int
    implicit_reported: int
    per_document: list[dict[str, Any]]
    sweep: list[dict[str, Any]]
    unmatched: dict[str, int]
    not_located: int
    false_positives: list[dict[str, Any]] = field(default_factory=list)
    false_negatives: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pool(records, runs: list[_DocRun], threshold: float):
    pred: dict[str, set[str]] = defaultdict(set)
    unmatched: dict[str, int] = defaultdict(int)
    for run in runs:
        for gid, labels in run.pattern_pred.items():
            pred[gid] |= labels
        for label, n in run.pattern_unmatched.items():
            unmatched[label] += n
        for c in run.candidates:
            if c.probability >= threshold:
                if c.gold_id is None:
                    unmatched[LABEL_IMPLICIT] += 1
                else:
                    pred[c.gold_id].add(LABEL_IMPLICIT)
    gold = [r.labels for r in records]
    scores = label_scores(gold, [sorted(pred.get(r.id, set())) or ["other"] for r in records], list(LABELS))
    for label, extra in unmatched.items():
        s = scores[label]
        s["fp"] += extra
        s.update(prf(s["tp"], s["fp"], s["fn"]))
    return scores, dict(unmatched), pred


def cross_validate_documents(gold_path: str | Path, shared: str | Path | None = None, *,
                             real_examples: str | None = None, threshold: float | None = None,
                             annotations_path: str | Path | None = None, documents: Sequence[str] | None = None,
                             detector=None, progress: Callable[[str], None] | None = None) -> CrossValidation:
    """Leave-one-document-out cross-validation (module docstring).

    ``real_examples`` and ``threshold`` default to the shipped training recipe
    (:data:`svmine.detect.training.REAL_EXAMPLES`, :data:`~svmine.detect.training.IMPLICIT_THRESHOLD`).
    ``documents`` restricts the folds to those gold documents (tests use a few); the training
    side of each fold still holds every other gold document.
    """
    from svmine.detect.classifier import DEFAULT_PARAMS
    from svmine.detect.gold import default_shared_dir, load_gold
    from svmine.detect.training import (IMPLICIT_THRESHOLD, REAL_EXAMPLES, default_annotations_path,
                                        load_annotations)

    say = progress or (lambda _msg: None)
    mode = real_examples or REAL_EXAMPLES
    threshold = IMPLICIT_THRESHOLD if threshold is None else threshold
    root = Path(shared) if shared is not None else default_shared_dir()
    records = load_gold(gold_path, root)
    train_base = [r for r in load_annotations(annotations_path or default_annotations_path()) if r["split"] == "train"]
    if detector is None:
        from svmine.detect import Detector

        detector = Detector(use_classifier=False)
    saved = detector.classifier
    detector.classifier = _CandidateProbe()
    folds = document_folds([r.doc for r in records])
    if documents is not None:
        wanted = set(documents)
        folds = [f for f in folds if f[0] in wanted]
    runs, scored = [], []
    try:
        for number, (doc, train_idx, test_idx) in enumerate(folds, 1):
            say(f"fold {number}/{len(folds)}: {doc}")
            test = [records[i] for i in test_idx]
            run = _run_document(detector, root, doc, test)
            if run.candidates:
                extra = real_training_examples([records[i] for i in train_idx], mode)
                score = _fit_implicit(train_base + extra, DEFAULT_PARAMS)
                for c, p in zip(run.candidates, score([c.text for c in run.candidates])):
                    c.probability = p
            runs.append(run)
            scored += test
    finally:
        detector.classifier = saved
    return _report(scored, runs, mode, threshold)


def _report(records, runs: list[_DocRun], mode: str, threshold: float) -> CrossValidation:
    scores, unmatched, pred = _pool(records, runs, threshold)
    sweep = []
    for t in sorted(set(SWEEP + [threshold])):
        s = _pool(records, runs, t)[0][LABEL_IMPLICIT]
        sweep.append({"threshold": t, **{k: s[k] for k in ("tp", "fp", "fn", "precision", "recall")}})
    by_doc: dict[str, list] = defaultdict(list)
    for r in records:
        by_doc[r.doc].append(r)
    per_document = []
    for run in runs:
        hits = [c for c in run.candidates if c.probability >= threshold]
        per_document.append({"doc": run.doc, "sentences": len(by_doc[run.doc]),
                             "implicit_gold": sum(LABEL_IMPLICIT in r.labels for r in by_doc[run.doc]),
                             "implicit_hits": len(hits), "true_hits": len({c.gold_id for c in hits if c.gold_id and
                                                                          LABEL_IMPLICIT in _labels_of(records, c.gold_id)}),
                             "candidates": len(run.candidates)})
    gold_ids = {r.id: r for r in records}
    fps = [{"doc": c.doc, "page": c.page, "gold_id": c.gold_id, "probability": round(c.probability, 3),
            "text": c.text} for run in runs for c in run.candidates
           if c.probability >= threshold and (c.gold_id is None or LABEL_IMPLICIT not in gold_ids[c.gold_id].labels)]
    best = _best_probability(runs)
    fns = [{"doc": r.doc, "page": r.page, "gold_id": r.id, "probability": best.get(r.id), "text": r.text}
           for r in records if LABEL_IMPLICIT in r.labels and LABEL_IMPLICIT not in pred.get(r.id, set())]
    return CrossValidation(mode, threshold, len(runs), len(records), scores,
                           sum(LABEL_IMPLICIT in r.labels for r in records),
                           sum(d["implicit_hits"] for d in per_document), per_document, sweep, unmatched,
                           sum(run.not_located for run in runs), fps, fns)


def _labels_of(records, gold_id: str) -> list[str]:
    return next((r.labels for r in records if r.id == gold_id), [])


def _best_probability(runs: list[_DocRun]) -> dict[str, float]:
    """Gold id -> highest candidate probability that fell in it (None when no candidate did)."""
    best: dict[str, float] = {}
    for run in runs:
        for c in run.candidates:
            if c.gold_id is not None:
                best[c.gold_id] = round(max(best.get(c.gold_id, 0.0), c.probability), 3)
    return best


def format_cross_validation(report: CrossValidation, errors: bool = False) -> str:
    head = f"{'label':<24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'n':>6}"
    lines = [f"leave-one-document-out cross-validation: {report.n} gold sentences, {report.documents} documents "
             f"(real examples in training: {report.real_examples}; implicit threshold {report.threshold:.2f})",
             "", head, "-" * len(head)]
    for label, s in report.scores.items():
        lines.append(f"{label:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                     f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}{s['support']:>6}")
    lines += ["", "implicit by threshold: " + "  ".join(
        f"{s['threshold']:.2f} P{s['precision']:.2f}/R{s['recall']:.2f} ({s['tp']}+{s['fp']})" for s in report.sweep)]
    lines += ["", f"{'implicit hits':>13}{'true':>6}{'gold':>6}{'cand.':>7}  document"]
    for d in report.per_document:
        lines.append(f"{d['implicit_hits']:>13}{d['true_hits']:>6}{d['implicit_gold']:>6}{d['candidates']:>7}  {d['doc']}")
    lines.append(f"implicit sentences reported: {report.implicit_reported} (gold: {report.implicit_gold})")
    if report.not_located:
        lines.append(f"gold sentences not found in svmine's page text: {report.not_located}")
    if errors:
        lines += ["", "false implicit hits:"]
        lines += [f"  {e['probability']:.2f} {Path(e['doc']).name} p{e['page']}: {' '.join(e['text'].split())[:200]}"
                  for e in report.false_positives]
        lines += ["", "missed implicit sentences (best candidate probability, '-' = not a candidate):"]
        lines += [f"  {'-' if e['probability'] is None else format(e['probability'], '.2f')} "
                  f"{Path(e['doc']).name} p{e['page']}: {' '.join(e['text'].split())[:200]}"
                  for e in report.false_negatives]
    return "\n".join(lines)
