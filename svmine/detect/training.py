"""Training the sentence classifier from the annotation set (and auditors' decisions).

``train_model`` is the one entry point (``svmine train`` only calls it):

1. read and check ``annotations/sentences.jsonl``; the ``split`` field decides train vs held-out;
2. merge extra examples (auditors' decisions from the store) into the train side only — a
   decision overrides a shipped train label for the same sentence text; one whose text is a
   held-out sentence is dropped, so the held-out split stays the shipped one and stays honest;
3. cross-validate on the train split (stratified k-fold on the label combination); per-label
   thresholds are tuned on the out-of-fold probabilities, never on the held-out split;
4. calibrate the implicit label (Platt scaling on the out-of-fold probabilities; see
   ``classifier.py``);
5. when asked (``real_examples``; the shipped model: ``svmine train --real-examples all``, the
   recipe's :data:`REAL_EXAMPLES`), add the real-document gold sentences
   (``annotations/gold/real.jsonl``, text resolved from the shared folder at train time, never
   stored in the repository) to the train side; without the shared folder the model is trained
   without them and the metadata says so (``real_examples``). CI does not retrain: the shipped
   model was trained with them;
   fit on the whole train side; the implicit threshold is the recipe's :data:`IMPLICIT_THRESHOLD`,
   chosen by leave-one-document-out cross-validation on the real gold
   (``svmine evaluate --cv documents``, :mod:`svmine.detect.crossval`), precision first. The
   earlier rule (a false-hit budget on the gold's ``tune`` documents, which hold one implicit
   sentence) is gone: the document CV scores every document without its own labels;
6. score the held-out split once, save model + metadata.

The split is assigned by :func:`assign_splits`: within each label combination, sentences are
ranked by the sha256 of their id and the first ~20% go to ``test``. It is deterministic and
stratified; ``tests/test_training.py`` checks the shipped file agrees with it.
"""

from __future__ import annotations

import hashlib
import platform
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from svmine.detect.classifier import (
    DEFAULT_PARAMS,
    EXPLICIT,
    IMPLICIT,
    LABELS,
    OTHER,
    POSITIVE_LABELS,
    SentenceClassifier,
    build_pipeline,
    decide,
    label_matrix,
    normalise,
    repo_root,
    save_classifier,
)
from svmine.detect.evaluation import label_scores
from svmine.detect.jsonl import json_objects
from svmine.errors import SvmineError
from svmine.hashing import sha256_file

TEST_FRACTION = 0.2
CALIBRATED_LABELS = (IMPLICIT,)
THRESHOLD_GRID = [round(0.2 + 0.05 * i, 2) for i in range(15)]  # 0.20 … 0.90
# The shipped recipe, chosen by leave-one-document-out cross-validation on the real gold
# (svmine/detect/crossval.py, docs/accuracy.md): which real-document gold sentences join the
# training side, and the implicit threshold (on the calibrated scale). Of none/negatives/all at
# 0.50-0.95, "all" at 0.95 had the highest pooled implicit precision (5 true, 1 false hit) with
# the most recall kept; "negatives" at 0.90 had 4 true and 1 false. `svmine train` adds real
# examples only when asked (--real-examples all), so tests and quick runs need no ../shared.
REAL_EXAMPLES = "all"
IMPLICIT_THRESHOLD = 0.95


class AnnotationError(SvmineError):
    code = "annotation_error"


def default_annotations_path() -> Path:
    return repo_root() / "annotations" / "sentences.jsonl"


def check_labels(labels: Any, where: str) -> list[str]:
    """The guideline rules: known labels, ``other`` only alone, explicit and implicit exclusive."""
    if not isinstance(labels, list) or not labels:
        raise AnnotationError(f"{where}: 'labels' must be a non-empty list")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise AnnotationError(f"{where}: unknown label(s) {', '.join(unknown)}")
    if OTHER in labels and len(set(labels)) > 1:
        raise AnnotationError(f"{where}: 'other' must stand alone")
    if EXPLICIT in labels and IMPLICIT in labels:
        raise AnnotationError(f"{where}: a sentence is explicit or implicit social value, not both")
    return sorted(set(labels), key=LABELS.index)


def load_annotations(path: str | Path) -> list[dict[str, Any]]:
    """Records ``{"id", "text", "labels", "split"}`` from a JSONL file, checked line by line."""
    records, seen = [], set()
    for number, where, rec in json_objects(path, AnnotationError, "annotations"):
        if not str(rec.get("text", "")).strip():
            raise AnnotationError(f"{where}: needs a non-empty 'text'")
        rec["labels"] = check_labels(rec.get("labels"), where)
        rec.setdefault("id", f"line-{number}")
        if rec["id"] in seen:
            raise AnnotationError(f"{where}: duplicate id {rec['id']!r}")
        seen.add(rec["id"])
        if rec.get("split", "train") not in ("train", "test"):
            raise AnnotationError(f"{where}: split must be 'train' or 'test'")
        rec.setdefault("split", "train")
        records.append(rec)
    if not records:
        raise AnnotationError("no annotations in file", str(path))
    return records


def _rank_key(record_id: str) -> str:
    return hashlib.sha256(record_id.encode("utf-8")).hexdigest()


def assign_splits(records: Iterable[dict[str, Any]], test_fraction: float = TEST_FRACTION) -> dict[str, str]:
    """id → "train"/"test": stratified by label combination, ordered by sha256 of the id."""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for rec in records:
        groups[tuple(rec["labels"])].append(rec["id"])
    splits = {}
    for ids in groups.values():
        ranked = sorted(ids, key=_rank_key)
        n_test = round(len(ranked) * test_fraction)
        splits.update({rid: ("test" if i < n_test else "train") for i, rid in enumerate(ranked)})
    return splits


def limit_records(records: Sequence[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """A stratified, deterministic subset of about ``limit`` records (for quick runs and tests)."""
    if not limit or limit >= len(records):
        return list(records)
    ranked = sorted(records, key=lambda r: _rank_key(r["id"]))
    groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for rec in ranked:
        groups[(tuple(rec["labels"]), rec["split"])].append(rec)
    share = limit / len(records)
    chosen = {r["id"] for group in groups.values() for r in group[: max(1, round(len(group) * share))]}
    return [r for r in records if r["id"] in chosen]  # file order


@dataclass
class MergeSummary:
    added: int = 0
    overridden: int = 0
    dropped_heldout: int = 0


def merge_examples(train: list[dict], test: list[dict], extra: Iterable[dict]) -> tuple[list[dict], MergeSummary]:
    """Train records with ``extra`` ({"text", "labels"}) merged in; later examples win."""
    summary = MergeSummary()
    by_text = {normalise(r["text"]).lower(): r for r in train}
    held_out = {normalise(r["text"]).lower() for r in test}
    for number, example in enumerate(extra, 1):
        labels = example.get("labels") or [OTHER]  # a decision with no label left means "not this"
        labels = check_labels(list(labels), f"store example {number}")
        key = normalise(example.get("text", "")).lower()
        if not key:
            continue
        if key in held_out:
            summary.dropped_heldout += 1
            continue
        if key in by_text:
            summary.overridden += by_text[key]["labels"] != labels
            by_text[key] = dict(by_text[key], labels=labels, source="store")
        else:
            summary.added += 1
            by_text[key] = {"id": f"store-{number}", "text": example["text"], "labels": labels, "source": "store"}
    return list(by_text.values()), summary


def _cv_folds(train: Sequence[dict], folds: int):
    from sklearn.model_selection import StratifiedKFold

    keys = ["+".join(r["labels"]) for r in train]
    smallest = min(keys.count(k) for k in set(keys))
    folds = max(2, min(folds, smallest))
    return StratifiedKFold(n_splits=folds, shuffle=True, random_state=DEFAULT_PARAMS["random_state"]), keys


def out_of_fold_probabilities(train: Sequence[dict], params: dict, folds: int) -> list[dict[str, float]]:
    from sklearn.model_selection import cross_val_predict

    texts = [normalise(r["text"]) for r in train]
    splitter, keys = _cv_folds(train, folds)
    matrix = cross_val_predict(build_pipeline(**params), texts, label_matrix([r["labels"] for r in train]),
                               cv=splitter.split(texts, keys), method="predict_proba")
    return [{lab: float(row[i]) for i, lab in enumerate(LABELS)} for row in matrix]


# Precision-leaning tuning (F-beta, beta = 0.5) for the social value labels: the annotation set
# holds far more of them (~17% explicit, ~23% implicit) than real plans do (well under 1% and a
# few per cent), so the out-of-fold F1 optimum is too permissive on real documents (generic "we
# will work with partners" sentences; "Modern Slavery Act" at p=0.25). For vcse, F0.5 cost far
# more recall than it gained precision on the real documents in ../shared, so it stays on F1.
TUNING_BETA: dict[str, float] = {EXPLICIT: 0.5, IMPLICIT: 0.5}
TIE_TOLERANCE = 0.005


def f_beta(tp: int, fp: int, fn: int, beta: float) -> float:
    b2 = beta * beta
    denom = (1 + b2) * tp + b2 * fn + fp
    return (1 + b2) * tp / denom if denom else 0.0


def tune_thresholds(gold: Sequence[Sequence[str]], probs: Sequence[dict[str, float]],
                    betas: dict[str, float] | None = None) -> dict[str, float]:
    """Per positive label, the grid threshold with the best out-of-fold F-beta (near-ties: nearest 0.5).

    beta is 1 (F1) except where ``betas`` (default :data:`TUNING_BETA`) says otherwise.
    """
    betas = TUNING_BETA if betas is None else betas
    thresholds = {}
    for label in POSITIVE_LABELS:
        truth = [label in g for g in gold]

        def score_at(t: float) -> float:
            pred = [p[label] >= t for p in probs]
            tp = sum(a and b for a, b in zip(truth, pred))
            fp = sum(b and not a for a, b in zip(truth, pred))
            fn = sum(a and not b for a, b in zip(truth, pred))
            return f_beta(tp, fp, fn, betas.get(label, 1.0))

        scores = {t: score_at(t) for t in THRESHOLD_GRID}
        # Near-ties (within TIE_TOLERANCE) go to the threshold nearest 0.5: when the classes are
        # well separated, the out-of-fold optimum is often a lone extreme value that only wins
        # by one sentence and lets through many low-probability sentences in real documents.
        good = [t for t, v in scores.items() if v >= max(scores.values()) - TIE_TOLERANCE]
        thresholds[label] = min(good, key=lambda t: (abs(t - 0.5), -t))
    thresholds[OTHER] = 0.5  # unused by decide(); kept so every label has an entry
    return thresholds


def fit_platt(truth: Sequence[bool], probs: Sequence[float]) -> dict[str, float]:
    """Platt scaling parameters (a, b) for sigmoid(a * logit(p) + b), fitted on (p, truth) pairs."""
    import math

    from sklearn.linear_model import LogisticRegression

    clipped = [min(max(p, 1e-6), 1 - 1e-6) for p in probs]
    x = [[math.log(p / (1 - p))] for p in clipped]
    model = LogisticRegression(C=1e4, solver="lbfgs", max_iter=1000).fit(x, [int(t) for t in truth])
    return {"a": round(float(model.coef_[0][0]), 6), "b": round(float(model.intercept_[0]), 6)}


def calibrate(gold: Sequence[Sequence[str]], probs: Sequence[dict[str, float]],
              gated: Sequence[bool]) -> dict[str, dict]:
    """Platt-scale the implicit label in place, fitted on the gated sentences only.

    The Detector scores implicit social value only on sentences passing the lever gate, so the
    calibration describes that population; ungated sentences get probability 0 here, as they
    are ``other`` without a model call there, so the cross-validated threshold is tuned on what
    the Detector does.
    """
    from svmine.detect.classifier import platt

    out = {}
    for label in CALIBRATED_LABELS:
        pairs = [(label in g, p[label]) for g, p, ok in zip(gold, probs, gated) if ok]
        params = fit_platt([t for t, _ in pairs], [p for _, p in pairs])
        out[label] = {"method": "platt", **params, "n": len(pairs),
                      "fitted_on": "out-of-fold probabilities of the gated train sentences"}
        for p, ok in zip(probs, gated):
            p[label] = platt(p[label], params["a"], params["b"]) if ok else 0.0
    return out


def add_real_examples(train: list[dict], test: list[dict], mode: str, gold_path: str | Path | None = None,
                      shared: str | Path | None = None) -> tuple[list[dict], dict[str, Any]]:
    """The train side plus the real gold's sentences as ``mode`` says (``none``/``negatives``/``all``).

    The text is resolved from the shared folder now and never written anywhere; the returned
    summary (for the metadata) names the gold file, its sha256, how many sentences were added
    and, when the shared folder is absent, why none were.
    """
    from svmine.detect.crossval import real_training_examples
    from svmine.detect.gold import load_gold
    from svmine.errors import GoldError

    gold_path = Path(gold_path) if gold_path else repo_root() / "annotations" / "gold" / "real.jsonl"
    info: dict[str, Any] = {"mode": mode, "gold": gold_path.name, "added": 0}
    if mode == "none":
        return train, info
    try:
        records = load_gold(gold_path, shared)
    except (GoldError, OSError) as exc:
        info["note"] = f"real gold unavailable, trained without it: {str(exc)[:200]}"
        return train, info
    examples = real_training_examples(records, mode)
    merged, summary = merge_examples(train, test, examples)
    info.update(sha256=sha256_file(gold_path), documents=len({r.doc for r in records}), added=summary.added,
                overridden=summary.overridden, dropped_heldout=summary.dropped_heldout,
                implicit=sum(IMPLICIT in e["labels"] for e in examples))
    return merged, info


def _real_cv_summary(mode: str, gold_path, shared, annotations_path) -> dict[str, Any]:
    from svmine.detect.crossval import cross_validate_documents

    gold_path = Path(gold_path) if gold_path else repo_root() / "annotations" / "gold" / "real.jsonl"
    cv = cross_validate_documents(gold_path, shared, real_examples=mode, threshold=IMPLICIT_THRESHOLD,
                                  annotations_path=annotations_path)
    return {"method": "leave-one-document-out (svmine/detect/crossval.py)", "documents": cv.documents,
            "sentences": cv.n, "threshold": cv.threshold, "scores": cv.scores, "sweep": cv.sweep,
            "implicit_reported": cv.implicit_reported, "implicit_gold": cv.implicit_gold}


def fit_classifier(train: Sequence[dict], params: dict, thresholds: dict[str, float]) -> SentenceClassifier:
    pipeline = build_pipeline(**params)
    pipeline.fit([normalise(r["text"]) for r in train], label_matrix([r["labels"] for r in train]))
    return SentenceClassifier(pipeline, list(LABELS), dict(thresholds))


def score(classifier: SentenceClassifier, records: Sequence[dict]) -> dict[str, dict[str, float]]:
    pred = classifier.predict([r["text"] for r in records])
    return label_scores([r["labels"] for r in records], pred, LABELS)


@dataclass
class TrainingReport:
    labels: list[str]
    n_train: int
    n_test: int
    cv_folds: int
    cv_scores: dict[str, dict[str, float]]
    heldout_scores: dict[str, dict[str, float]]
    thresholds: dict[str, float]
    model_path: str | None = None
    metadata_path: str | None = None
    before_heldout_scores: dict[str, dict[str, float]] | None = None
    merge: dict[str, int] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)
    implicit_threshold: dict[str, Any] = field(default_factory=dict)
    real_examples: dict[str, Any] = field(default_factory=dict)
    real_cv: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import skops

    from svmine import __version__

    return {"svmine": __version__, "sklearn": sklearn.__version__, "skops": skops.__version__,
            "numpy": numpy.__version__, "scipy": scipy.__version__, "python": platform.python_version()}


def _metadata(annotations_path: Path, report: TrainingReport, params: dict) -> dict[str, Any]:
    return {
        "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "versions": versions(),
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()},
        "annotations": {"file": annotations_path.name, "sha256": sha256_file(annotations_path),
                        "n_train": report.n_train, "n_test": report.n_test, **report.merge},
        "cv": {"folds": report.cv_folds, "scores": report.cv_scores,
               "note": "out-of-fold predictions on the train split at the tuned thresholds"},
        "heldout": {"n": report.n_test, "scores": report.heldout_scores},
    }


def train_model(
    annotations_path: str | Path | None = None,
    extra_examples: Iterable[dict] = (),
    out: str | Path | None = None,
    *,
    limit: int | None = None,
    cv_folds: int = 5,
    params: dict | None = None,
    progress: Callable[[str], None] | None = None,
    gold_path: str | Path | None = None,
    shared: str | Path | None = None,
    real_examples: str | None = None,
    real_cv: bool = False,
) -> TrainingReport:
    """Train, cross-validate, score the held-out split and (unless ``out`` is False-y) save.

    ``out`` defaults to the shipped model path; pass ``out=""`` to skip saving.
    """
    from svmine.detect.classifier import default_model_path

    say = progress or (lambda _msg: None)
    annotations_path = Path(annotations_path or default_annotations_path())
    params = dict(DEFAULT_PARAMS, **(params or {}))
    records = limit_records(load_annotations(annotations_path), limit)
    train = [r for r in records if r["split"] == "train"]
    test = [r for r in records if r["split"] == "test"]
    if not train or not test:
        raise AnnotationError("need both 'train' and 'test' records", str(annotations_path))
    train, real = add_real_examples(train, test, real_examples or "none", gold_path, shared)
    if real.get("added"):
        say(f"{real['added']} real-document gold sentences join the train side ({real['mode']})")
    extra = list(extra_examples)
    before = None
    if extra:
        say("scoring the shipped annotations alone (before)")
        before_keep: dict = {}
        before_model = fit_classifier(train, params, _thresholds(train, params, cv_folds, before_keep))
        before_model.metadata["calibration"] = before_keep["calibration"]
        before = score(before_model, test)
        train, merged = merge_examples(train, test, extra)
    say(f"cross-validating on {len(train)} train sentences")
    thresholds = _thresholds(train, params, cv_folds, keep := {})
    say("fitting on the whole train split")
    classifier = fit_classifier(train, params, thresholds)
    classifier.metadata["calibration"] = keep["calibration"]
    implicit = {"value": IMPLICIT_THRESHOLD, "source": "leave-one-document-out cross-validation on the real gold "
                "(svmine evaluate --cv documents)", "rule": "precision first: the threshold whose pooled implicit "
                "precision is highest with the most recall kept, fixed in the training recipe",
                "cross_validated": thresholds[IMPLICIT]}
    thresholds[IMPLICIT] = classifier.thresholds[IMPLICIT] = implicit["value"]
    report = TrainingReport(list(LABELS), len(train), len(test), keep["folds"], keep["cv"],
                            score(classifier, test), thresholds, before_heldout_scores=before,
                            merge=asdict(merged) if extra else {})
    report.calibration, report.implicit_threshold, report.real_examples = keep["calibration"], implicit, real
    if real_cv and real.get("added"):
        say("leave-one-document-out cross-validation on the real gold (same recipe)")
        report.real_cv = _real_cv_summary(real["mode"], gold_path, shared, annotations_path)
    if out != "" and out is not False:
        meta = _metadata(annotations_path, report, params)
        meta.update(calibration=keep["calibration"], implicit_threshold=implicit, real_examples=real)
        if report.real_cv:
            meta["real_cv"] = report.real_cv
        path = save_classifier(classifier, Path(out or default_model_path()), meta)
        report.model_path, report.metadata_path = str(path), str(path.with_suffix(".json"))
        say(f"wrote {path}")
    return report


def _thresholds(train: Sequence[dict], params: dict, folds: int, keep: dict | None = None) -> dict[str, float]:
    """Tuned thresholds from out-of-fold probabilities; ``keep`` receives the CV scores."""
    probs = out_of_fold_probabilities(train, params, folds)
    gold = [r["labels"] for r in train]
    from svmine.detect.levers import lever_gate

    gate = lever_gate()
    calibration = calibrate(gold, probs, [gate.gated(r["text"]) for r in train])  # in place
    thresholds = tune_thresholds(gold, probs)
    if keep is not None:
        keep["calibration"] = calibration
        keep["folds"] = _cv_folds(train, folds)[0].get_n_splits()
        keep["cv"] = label_scores(gold, [decide(p, thresholds) for p in probs], LABELS)
    return thresholds
