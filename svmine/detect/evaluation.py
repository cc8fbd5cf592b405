"""Scoring against gold files: sentence labels (classifier) and document mentions (Detector).

Two gold formats, told apart by the first record's keys:

- sentences: ``{"text": ..., "labels": [...]}`` — every sentence goes through the classifier;
  per label precision/recall/F1 and a confusion matrix (TP/FP/FN/TN).
- documents: ``{"text": ..., "mentions": [{"category", "text", "start", "end"}]}`` — each text
  goes through ``Detector.detect_text``; span-level scores per category. A predicted mention
  matches a gold one of the same category when their character spans overlap; matching is
  one-to-one (greedy in text order), so two predictions on one gold span count one TP and one
  FP. TN is not defined for spans and is reported as ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from svmine.errors import GoldError
from svmine.model import LABEL_IMPLICIT, LABEL_OF_CATEGORY

SENTENCES = "sentences"
DOCUMENTS = "documents"


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def label_scores(gold: Sequence[Sequence[str]], pred: Sequence[Sequence[str]],
                 labels: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per label: tp, fp, fn, tn, support, precision, recall, f1 (multi-label sets)."""
    out = {}
    for label in labels:
        tp = sum(label in g and label in p for g, p in zip(gold, pred))
        fp = sum(label not in g and label in p for g, p in zip(gold, pred))
        fn = sum(label in g and label not in p for g, p in zip(gold, pred))
        tn = len(gold) - tp - fp - fn
        out[label] = {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "support": tp + fn, **prf(tp, fp, fn)}
    return out


@dataclass
class EvaluationReport:
    kind: str  # "sentences" | "documents"
    n: int  # sentences or documents scored
    scores: dict[str, dict[str, Any]]
    model: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_gold(path: str | Path) -> tuple[str, list[dict[str, Any]]]:
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"cannot read gold file: {exc}", str(path)) from exc
    records = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise GoldError(f"line {number}: not JSON ({exc.msg})", str(path)) from exc
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str):
            raise GoldError(f"line {number}: each record needs a 'text' string", str(path))
        records.append(rec)
    if not records:
        raise GoldError("no records", str(path))
    kind = DOCUMENTS if "mentions" in records[0] else SENTENCES
    key = "mentions" if kind == DOCUMENTS else "labels"
    for number, rec in enumerate(records, 1):
        if not isinstance(rec.get(key), list):
            raise GoldError(f"record {number}: expected a '{key}' list like the first record", str(path))
    return kind, records


def evaluate_sentences(records: Sequence[dict], classifier) -> EvaluationReport:
    from svmine.model import LABELS

    unknown = {lab for r in records for lab in r["labels"]} - set(LABELS)
    if unknown:
        raise GoldError(f"unknown label(s) in gold: {', '.join(sorted(unknown))}")
    gold = [r["labels"] or ["other"] for r in records]
    pred = classifier.predict([r["text"] for r in records])
    return EvaluationReport(SENTENCES, len(records), label_scores(gold, pred, classifier.labels),
                            str(classifier.path) if classifier.path else None)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def match_spans(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]]) -> int:
    """Number of one-to-one overlapping pairs (greedy in order of start)."""
    free = sorted(gold)
    matched = 0
    for span in sorted(pred):
        hit = next((g for g in free if _overlaps(g, span)), None)
        if hit is not None:
            free.remove(hit)
            matched += 1
    return matched


def span_scores(gold_docs: Sequence[Sequence[dict]], pred_docs: Sequence[Sequence[dict]]) -> dict[str, dict]:
    """Per category TP/FP/FN and P/R/F1 over documents' mention lists ({category, start, end})."""
    categories = sorted({m["category"] for doc in [*gold_docs, *pred_docs] for m in doc})
    out = {}
    for cat in categories:
        tp = fp = fn = 0
        for gold, pred in zip(gold_docs, pred_docs):
            g = [(m["start"], m["end"]) for m in gold if m["category"] == cat]
            p = [(m["start"], m["end"]) for m in pred if m["category"] == cat]
            hits = match_spans(g, p)
            tp, fp, fn = tp + hits, fp + len(p) - hits, fn + len(g) - hits
        out[cat] = {"tp": tp, "fp": fp, "fn": fn, "tn": None, "support": tp + fn, **prf(tp, fp, fn)}
    return out


def _gold_mentions(rec: dict, number: int) -> list[dict]:
    mentions = []
    for m in rec["mentions"]:
        try:
            start, end = int(m["start"]), int(m["end"])
            mentions.append({"category": str(m["category"]), "start": start, "end": end})
        except (KeyError, TypeError, ValueError) as exc:
            raise GoldError(f"document {number}: a mention needs category, start and end ({exc})") from exc
    return mentions


def evaluate_documents(records: Sequence[dict], detector) -> EvaluationReport:
    gold = [_gold_mentions(rec, n) for n, rec in enumerate(records, 1)]
    pred = []
    for n, rec in enumerate(records, 1):
        result = detector.detect_text(rec["text"], page=1, document=rec.get("id", f"gold-{n}"))
        pred.append([{"category": m.category, "start": m.start, "end": m.end} for m in result.mentions])
    return EvaluationReport(DOCUMENTS, len(records), span_scores(gold, pred))


def evaluate_gold(gold_path: str | Path, model_path: str | Path | None = None) -> EvaluationReport:
    """Score a gold file of either format (see module docstring) with the given or default model."""
    from svmine.detect.classifier import load_classifier
    from svmine.errors import ModelError

    kind, records = read_gold(gold_path)
    if kind == SENTENCES:
        classifier = load_classifier(model_path)
        if classifier is None:
            raise ModelError("no model file; run `svmine train` first", str(model_path or "models/"))
        return evaluate_sentences(records, classifier)
    from svmine.detect import Detector  # built by the detection stage; heavy (spaCy)

    kwargs = {"model_path": model_path} if model_path else {}
    report = evaluate_documents(records, Detector(**kwargs))
    report.model = str(model_path) if model_path else None
    return report


def format_table(report: EvaluationReport) -> str:
    first = "category" if report.kind == DOCUMENTS else "label"
    head = f"{first:<24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'TN':>6}{'n':>6}"
    rows = [head, "-" * len(head)]
    for label, s in report.scores.items():
        tn = "-" if s["tn"] is None else s["tn"]
        rows.append(f"{label:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                    f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}{tn:>6}{s['support']:>6}")
    return "\n".join(rows)


# -- real-text gold by reference (annotations/gold/real.jsonl; see svmine/detect/gold.py) ------

REAL = "real"


@dataclass
class RealEvaluation:
    """Scores of the Detector's sentence decisions (and of the gated classifier) on real gold."""

    split: str | None
    n: int  # gold sentences scored
    documents: int
    detector: dict[str, dict[str, Any]]
    classifier: dict[str, dict[str, Any]] | None
    thresholds: dict[str, float]
    calibration: dict[str, Any]
    implicit_reported: int  # implicit mentions the Detector reported in these documents
    implicit_gold: int
    unmatched: dict[str, int]  # predictions on sentences outside the gold set (counted as FP)
    not_located: int  # gold sentences not found in svmine's text of the page (counted as predicted other)
    model: str | None = None
    threshold_source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _detector_labels(result, gold_by_page, located) -> tuple[dict[str, set[str]], dict[str, int]]:
    """gold id -> labels the Detector gave it (by mention midpoint); unmatched counts per label."""
    pred: dict[str, set[str]] = {}
    unmatched: dict[str, int] = {}
    for m in result.mentions:
        label = LABEL_IMPLICIT if m.kind == "implicit" else LABEL_OF_CATEGORY.get(m.category)
        if label is None:
            continue
        start, end = (m.sentence_start, m.sentence_end) if m.kind == "implicit" else (m.start, m.end)
        mid = (start + end) // 2
        hit = next((g.id for g in gold_by_page.get(m.page, [])
                    if g.id in located and located[g.id][0] <= mid < located[g.id][1]), None)
        if hit is None:
            unmatched[label] = unmatched.get(label, 0) + 1
        else:
            pred.setdefault(hit, set()).add(label)
    return pred, unmatched


def evaluate_real(gold_path: str | Path, model_path: str | Path | None = None, split: str | None = None,
                  shared: str | Path | None = None, detector=None) -> RealEvaluation:
    """Run the Detector over every gold document (as svmine extracts it today) and score per label.

    A gold sentence's predicted labels are those of the mentions whose midpoint falls in it, once
    the sentence is located in svmine's page text by its letters (:func:`svmine.detect.gold.locate`);
    a prediction outside every gold sentence counts as a false positive of its label, since the gold
    set holds every sentence any candidate rule or the first model flagged. ``other`` is a sentence
    with no predicted label. The classifier table scores the shipped classifier on the gold
    sentences' reference text through the same lever gate the Detector uses.
    """
    from collections import defaultdict

    from svmine.detect.classifier import load_classifier
    from svmine.model import LABELS
    from svmine.detect.gold import default_shared_dir, load_gold, locate
    from svmine.detect.levers import lever_gate
    from svmine.errors import ModelError
    from svmine.extract import extract_document

    root = Path(shared) if shared is not None else default_shared_dir()
    records = load_gold(gold_path, root, split)
    if detector is None:
        from svmine.detect import Detector

        detector = Detector(**({"model_path": model_path} if model_path else {}))
    classifier = detector.classifier
    by_doc: dict[str, list] = defaultdict(list)
    for rec in records:
        by_doc[rec.doc].append(rec)
    pred: dict[str, set[str]] = {}
    unmatched: dict[str, int] = {}
    implicit_reported = not_located = 0
    for doc, recs in sorted(by_doc.items()):
        result = detector.detect(extract_document(root / doc))
        implicit_reported += sum(1 for m in result.mentions if m.kind == "implicit")
        gold_by_page: dict[int, list] = defaultdict(list)
        for rec in recs:
            gold_by_page[rec.page].append(rec)
        located: dict[str, tuple[int, int]] = {}
        for page, page_recs in gold_by_page.items():
            text = result.page_texts.get(page, "")
            found = locate(page_recs, text)
            not_located += len(page_recs) - len(found)
            located.update(found)
        doc_pred, doc_unmatched = _detector_labels(result, gold_by_page, located)
        pred.update(doc_pred)
        for label, n in doc_unmatched.items():
            unmatched[label] = unmatched.get(label, 0) + n
    gold_labels = [r.labels for r in records]
    labels = list(LABELS)
    detector_pred = [sorted(pred.get(r.id, set())) or ["other"] for r in records]
    scores = label_scores(gold_labels, detector_pred, labels)
    for label, extra in unmatched.items():
        s = scores[label]
        s["fp"] += extra
        s.update(prf(s["tp"], s["fp"], s["fn"]))
    classifier_scores = None
    thresholds: dict[str, float] = {}
    calibration: dict[str, Any] = {}
    source = None
    if classifier is not None:
        gate = lever_gate(getattr(detector, "patterns_dir", None))
        probs = classifier.predict_proba([r.text for r in records])
        thresholds = {lab: classifier.threshold(lab) for lab in classifier.labels}
        calibration = dict(getattr(classifier, "calibration", {}) or {})
        source = (classifier.metadata.get("implicit_threshold") or {}).get("source")
        from svmine.detect.classifier import decide

        cls_pred = []
        for rec, p in zip(records, probs):
            if not gate.gated(rec.text):
                p = dict(p, social_value_implicit=0.0)
            cls_pred.append(decide(p, thresholds))
        classifier_scores = label_scores(gold_labels, cls_pred, labels)
    elif model_path:
        raise ModelError("no model file at the given path", str(model_path))
    return RealEvaluation(split, len(records), len(by_doc), scores, classifier_scores, thresholds, calibration,
                          implicit_reported, sum("social_value_implicit" in g for g in gold_labels), unmatched,
                          not_located, str(getattr(classifier, "path", "") or "") or None, source)


def format_real(report: RealEvaluation) -> str:
    head = f"{'label':<24}{'P':>7}{'R':>7}{'F1':>7}{'TP':>6}{'FP':>6}{'FN':>6}{'n':>6}"
    lines = [f"real gold: {report.n} sentences in {report.documents} documents"
             + (f" (split {report.split})" if report.split else " (all splits)")]

    def table(title: str, scores: dict) -> None:
        lines.extend(["", title, head, "-" * len(head)])
        for label, s in scores.items():
            lines.append(f"{label:<24}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f}"
                         f"{s['tp']:>6}{s['fp']:>6}{s['fn']:>6}{s['support']:>6}")

    table("detector (patterns + gated classifier), sentence decisions", report.detector)
    if report.classifier is not None:
        table("classifier alone on the gold sentences (lever gate applied)", report.classifier)
    lines.append("")
    if report.thresholds:
        lines.append("thresholds: " + ", ".join(f"{k} {v:.2f}" for k, v in report.thresholds.items())
                     + (f" (implicit chosen on: {report.threshold_source})" if report.threshold_source else ""))
    for label, params in report.calibration.items():
        lines.append(f"calibration: {label} {params.get('method', '?')} a={params.get('a')} b={params.get('b')}")
    lines.append(f"implicit sentences reported by detect in these documents: {report.implicit_reported} "
                 f"(gold: {report.implicit_gold})")
    if report.unmatched:
        lines.append("predictions outside gold sentences (counted as FP): "
                     + ", ".join(f"{k} {v}" for k, v in sorted(report.unmatched.items())))
    if report.not_located:
        lines.append(f"gold sentences not found in svmine's page text: {report.not_located}")
    return "\n".join(lines)
