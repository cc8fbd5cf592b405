"""The trained sentence classifier: social value (explicit or implicit) and VCSE sentences.

Design decisions:

- The estimator is a plain scikit-learn ``Pipeline``: a ``FeatureUnion`` of word (1-2 gram) and
  character (2-5 gram, across word boundaries) TF-IDF, then one-vs-rest logistic regression, one
  binary model per label. Char n-grams carry the model over PDF damage (hyphen splits, odd
  capitals) and morphology ("procure", "procurement") and, spanning spaces, keep some word
  order; word bigrams carry phrases such as "living wage" or "anchor institution".
- Before features, :func:`normalise` folds whitespace and joins "social value" into one token. Only library classes go into the pipeline, so the
  saved file holds no svmine code and the trusted-types list stays short and reviewable.
- Persistence is skops, never pickle. ``load_classifier`` first checks the file's sha256 against
  the metadata JSON written beside it, then lists the types the file would build and refuses any
  that are not in :data:`TRUSTED_TYPES`, and only then loads with that explicit list (never
  ``trusted=True``).
- Calibration: the implicit label's probabilities are Platt-scaled (a sigmoid of ``a * logit(p) + b``,
  fitted on the out-of-fold probabilities of the train split). The two numbers live in the
  metadata JSON (``calibration``), not in the skops file, so the trusted-types list is unchanged;
  :meth:`SentenceClassifier.predict_proba` applies them, so every caller sees calibrated values
  and the stored threshold refers to them.
- ``other`` is trained as a label of its own (so its probability is available), but
  :meth:`SentenceClassifier.predict` assigns it only when no positive label passes its threshold.
  ``social_value_explicit`` and ``social_value_implicit`` exclude each other by the annotation
  guidelines; when both pass, explicit wins (a sentence that names social value is explicit).
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from svmine.errors import ModelError
from svmine.hashing import sha256_file
from svmine.model import LABEL_EXPLICIT as EXPLICIT
from svmine.model import LABEL_IMPLICIT as IMPLICIT
from svmine.model import LABEL_OTHER as OTHER
from svmine.model import LABEL_VCSE as VCSE
from svmine.model import LABELS, POSITIVE_LABELS

MODEL_ENV = "SVMINE_MODEL"
MODEL_NAME = "sentence-classifier.skops"
METADATA_FORMAT = "svmine-sentence-classifier/1"
DEFAULT_THRESHOLD = 0.5

# Every type a model file may build, as "module.name". Kept by hand and checked against the file's
# whole schema before loading (stricter than skops' own defaults, which trust every sklearn
# class). A new entry must be a scikit-learn/numpy class that cannot run arbitrary code.
TRUSTED_TYPES: list[str] = [
    "builtins.NoneType",
    "builtins.bool",
    "builtins.dict",
    "builtins.float",
    "builtins.int",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "numpy.float64",
    "numpy.int64",
    "numpy.ndarray",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.multiclass.OneVsRestClassifier",
    "sklearn.pipeline.FeatureUnion",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer",
]

# Hyperparameters. C and the n-gram ranges made little difference in cross-validation on the
# train split; char n-grams across word boundaries helped with "people value social contact".
DEFAULT_PARAMS: dict[str, Any] = {
    "C": 10.0,
    "word_ngrams": (1, 2),
    "char_ngrams": (2, 5),
    "char_min_df": 2,
    "char_analyzer": "char",
    "class_weight": "balanced",
    "random_state": 0,
}


def repo_root() -> Path:
    """The checkout holding this package (models/ and annotations/ live there)."""
    return Path(__file__).resolve().parents[2]


def default_model_path() -> Path:
    env = os.environ.get(MODEL_ENV)
    return Path(env) if env else repo_root() / "models" / MODEL_NAME


def metadata_path(model_path: str | Path) -> Path:
    return Path(model_path).with_suffix(".json")


# "social value" as one token: otherwise the bag of n-grams cannot tell it from "people value
# social contact", where the same two words carry the explicit label's weight in reverse order.
_SOCIAL_VALUE = re.compile(r"\bsocial[\s\-]+value", re.IGNORECASE)
# Transcript timestamps ("00:43:02.160") carry no meaning and were read as evidence by the model.
_TIMESTAMP = re.compile(r"\b\d{1,2}:\d\d:\d\d(?:\.\d+)?\b")


def normalise(text: str) -> str:
    """Collapse whitespace (PDF line breaks) and join the phrase "social value" into one token.

    Applied to every sentence before training and prediction, so both see the same form.
    """
    return _SOCIAL_VALUE.sub("social_value", " ".join(_TIMESTAMP.sub(" ", str(text)).split()))


def platt(p: float, a: float, b: float) -> float:
    """Calibrated probability: sigmoid(a * logit(p) + b), p clipped away from 0 and 1."""
    import math

    p = min(max(p, 1e-6), 1 - 1e-6)
    z = a * math.log(p / (1 - p)) + b
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def build_pipeline(
    C: float = 10.0,
    word_ngrams: tuple[int, int] = (1, 2),
    char_ngrams: tuple[int, int] = (2, 5),
    char_min_df: int = 2,
    char_analyzer: str = "char",
    class_weight: str | None = "balanced",
    random_state: int = 0,
):
    """An unfitted scikit-learn Pipeline: word + char TF-IDF → one-vs-rest logistic regression."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=tuple(word_ngrams), sublinear_tf=True, lowercase=True)),
            (
                "char",
                TfidfVectorizer(
                    analyzer=char_analyzer, ngram_range=tuple(char_ngrams), min_df=char_min_df, sublinear_tf=True
                ),
            ),
        ]
    )
    model = LogisticRegression(
        C=C, class_weight=class_weight, solver="liblinear", max_iter=1000, random_state=random_state
    )
    return Pipeline([("features", features), ("clf", OneVsRestClassifier(model))])


def label_matrix(label_lists: Sequence[Sequence[str]], labels: Sequence[str] = LABELS):
    """Indicator matrix (n_samples × n_labels) in the order of ``labels``."""
    import numpy as np

    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(label_lists), len(labels)), dtype=int)
    for row, names in enumerate(label_lists):
        for name in names:
            matrix[row, index[name]] = 1
    return matrix


def decide(probs: dict[str, float], thresholds: dict[str, float]) -> list[str]:
    """Labels for one sentence from its probabilities (rules in the module docstring)."""
    chosen = [lab for lab in POSITIVE_LABELS if probs.get(lab, 0.0) >= thresholds.get(lab, DEFAULT_THRESHOLD)]
    if EXPLICIT in chosen and IMPLICIT in chosen:
        chosen.remove(IMPLICIT)
    return chosen or [OTHER]


@dataclass
class SentenceClassifier:
    """A fitted pipeline with its label order, tuned thresholds and metadata."""

    pipeline: Any
    labels: list[str] = field(default_factory=lambda: list(LABELS))
    thresholds: dict[str, float] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def threshold(self, label: str) -> float:
        if label not in self.labels:
            raise KeyError(f"unknown label {label!r}; labels are {', '.join(self.labels)}")
        return float(self.thresholds.get(label, DEFAULT_THRESHOLD))

    @property
    def calibration(self) -> dict[str, dict[str, float]]:
        return dict(self.metadata.get("calibration") or {})

    def predict_proba(self, sentences: Sequence[str]) -> list[dict[str, float]]:
        if not sentences:
            return []
        matrix = self.pipeline.predict_proba([normalise(s) for s in sentences])
        out = [{lab: float(row[i]) for i, lab in enumerate(self.labels)} for row in matrix]
        for label, params in self.calibration.items():
            for probs in out:
                probs[label] = platt(probs[label], float(params["a"]), float(params["b"]))
        return out

    def predict(self, sentences: Sequence[str], threshold: float | None = None) -> list[list[str]]:
        """Labels per sentence; ``threshold`` overrides the tuned per-label thresholds."""
        thresholds = {lab: threshold if threshold is not None else self.threshold(lab) for lab in self.labels}
        return [decide(p, thresholds) for p in self.predict_proba(sentences)]

    @property
    def sha256(self) -> str | None:
        return self.metadata.get("model_sha256")


def save_classifier(classifier: SentenceClassifier, path: str | Path, metadata: dict[str, Any]) -> Path:
    """Write ``path`` (.skops) and its metadata JSON; adds the file's sha256 to the metadata."""
    import skops.io as sio

    from svmine.outputs import atomic_path, write_text

    path = Path(path)
    with atomic_path(path) as tmp:
        sio.dump(classifier.pipeline, tmp, compression=8)  # zlib: keeps the committed file small
    meta = dict(metadata, format=METADATA_FORMAT, labels=list(classifier.labels),
                thresholds=dict(classifier.thresholds), model_file=path.name, model_sha256=sha256_file(path))
    write_text(metadata_path(path), json.dumps(meta, indent=2, sort_keys=False) + "\n")
    classifier.metadata, classifier.path = meta, path
    return path


def _read_metadata(path: Path) -> dict[str, Any]:
    meta_file = metadata_path(path)
    if not meta_file.is_file():
        raise ModelError(f"metadata file {meta_file.name} is missing; cannot verify the model, refusing to load",
                         str(path))
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"unreadable metadata {meta_file.name}: {exc}", str(path)) from exc
    if not isinstance(meta, dict) or meta.get("format") != METADATA_FORMAT or "model_sha256" not in meta:
        raise ModelError(f"{meta_file.name} is not svmine classifier metadata", str(path))
    return meta


def file_types(path: str | Path) -> set[str]:
    """Every "module.name" type the skops file's schema would build, found without loading it."""
    import zipfile

    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "__class__" in node:
                found.add(f"{node.get('__module__', '?')}.{node['__class__']}")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    with zipfile.ZipFile(path) as archive:
        walk(json.loads(archive.read("schema.json")))
    return found


def _check_types(path: Path) -> None:
    try:
        found = file_types(path)
    except Exception as exc:  # not a zip, no schema, bad JSON: all mean "not a model file"
        raise ModelError(f"not a readable skops file ({exc})", str(path)) from exc
    untrusted = sorted(found - set(TRUSTED_TYPES))
    if untrusted:
        raise ModelError(f"holds types outside the trusted list, refusing to load: {', '.join(untrusted)}",
                         str(path))


def _warn_on_versions(meta: dict[str, Any], path: Path) -> None:
    import sklearn

    saved = meta.get("versions", {}).get("sklearn")
    if saved and saved.split(".")[:2] != sklearn.__version__.split(".")[:2]:
        warnings.warn(f"{path}: trained with scikit-learn {saved}, running {sklearn.__version__}; "
                      "retrain with `svmine train` if predictions look wrong", stacklevel=3)


def load_classifier(path: str | Path | None = None) -> SentenceClassifier | None:
    """Load a verified classifier; ``None`` when there is no model file.

    ``path`` defaults to ``$SVMINE_MODEL`` or ``models/sentence-classifier.skops`` in the
    checkout. Raises :class:`ModelError` when the metadata is missing, the sha256 differs from
    the metadata (changed or tampered with), or the file holds an untrusted type.
    """
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    path = Path(path) if path is not None else default_model_path()
    if not path.is_file():
        return None
    meta = _read_metadata(path)
    actual = sha256_file(path)
    if actual != meta["model_sha256"]:
        raise ModelError(f"sha256 {actual[:12]}… does not match the metadata ({str(meta['model_sha256'])[:12]}…): "
                         "file changed or tampered with, refusing to load", str(path))
    _check_types(path)
    try:
        pipeline = sio.load(path, trusted=TRUSTED_TYPES)
    except Exception as exc:
        raise ModelError(f"could not load model: {exc}", str(path)) from exc
    labels = list(meta.get("labels", []))
    if not isinstance(pipeline, Pipeline) or len(getattr(pipeline, "classes_", [])) != len(labels):
        raise ModelError("file does not hold a fitted svmine sentence pipeline", str(path))
    _warn_on_versions(meta, path)
    return SentenceClassifier(pipeline, labels, dict(meta.get("thresholds", {})), meta, path)
