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

from svmine.errors import SvmineError

SENTENCES = "sentences"
DOCUMENTS = "documents"


class GoldError(SvmineError):
    code = "gold_error"


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
    from svmine.detect.classifier import LABELS

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
