"""A NumPy-only copy of the fitted sentence classifier, so a scan or ``svmine detect`` starts fast.

Why: loading the model the safe way (``classifier.load_classifier``: sha256 check, type audit,
skops) imports scikit-learn, SciPy's statistics package and every scikit-learn estimator (skops
lists them when it is imported): about 3 s of a 4 s start, for a pipeline whose prediction is
a few dictionary look-ups and one small matrix product. So, after a model file has been loaded
and verified once, its numbers (the TF-IDF vocabularies and idf weights, the logistic
regression coefficients) are written to a cache file, and later starts rebuild the same
predictions from that file with NumPy alone.

Decisions:
- The cache holds arrays only and is read with ``numpy.load(allow_pickle=False)``: whatever is
  in it, reading it cannot run code (unlike a pickle of the pipeline, which would undo the
  point of skops).
- It is keyed by the model file's sha256 (checked against its metadata on every start, as the
  safe loader does) and by the installed scikit-learn version; any other file, or a changed
  one, is loaded the safe way and compiled again.
- Only the exact pipeline shape ``classifier.build_pipeline`` makes is compiled (a FeatureUnion
  of word/char TfidfVectorizers with default preprocessing, then one-vs-rest binary logistic
  regressions); for anything else ``compile_pipeline`` returns None and the sklearn pipeline is
  used as before. tests/test_compiled_classifier.py checks the probabilities agree to 1e-9.
- Once compiled, the copy is what predicts, in the first process too (so a store's
  probabilities do not depend on whether the cache existed when a scan started).
- ``$SVMINE_CACHE`` (default ``$XDG_CACHE_HOME/svmine`` or ``~/.cache/svmine``) is the cache
  folder; ``SVMINE_MODEL_CACHE=0`` turns the cache off. A folder that cannot be written only
  costs the fast start.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any, Sequence

from svmine.hashing import sha256_file

FORMAT = "svmine-compiled-classifier/1"
_SEPARATOR = "\x00"
_WHITE_SPACES = re.compile(r"\s\s+")


def cache_dir() -> Path:
    if os.environ.get("SVMINE_CACHE"):
        return Path(os.environ["SVMINE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "svmine"


def _sklearn_version() -> str:
    try:
        return metadata.version("scikit-learn")
    except metadata.PackageNotFoundError:
        return "none"


def cache_path(model_sha256: str) -> Path:
    return cache_dir() / f"sentence-classifier-{model_sha256[:32]}-sklearn{_sklearn_version()}.npz"


class _Vectorizer:
    """TfidfVectorizer.transform for one sentence: n-grams → counts → (1+log) × idf → l2."""

    def __init__(self, config: dict[str, Any], terms: Sequence[str], idf, offset: int):
        self.analyzer = config["analyzer"]
        self.lowercase = config["lowercase"]
        self.min_n, self.max_n = config["ngram_range"]
        self.sublinear = config["sublinear_tf"]
        self.norm = config["norm"]
        self.token = re.compile(config["token_pattern"]) if self.analyzer == "word" else None
        self.vocabulary = {term: i + offset for i, term in enumerate(terms)}
        self.idf = idf
        self.offset = offset

    def _ngrams(self, text: str) -> list[str]:
        if self.lowercase:
            text = text.lower()
        if self.analyzer == "word":
            tokens = self.token.findall(text)
            grams = list(tokens) if self.min_n == 1 else []
            for n in range(max(self.min_n, 2), min(self.max_n + 1, len(tokens) + 1)):
                grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
            return grams
        text = _WHITE_SPACES.sub(" ", text)
        return [text[i : i + n] for n in range(self.min_n, min(self.max_n + 1, len(text) + 1))
                for i in range(len(text) - n + 1)]

    def features(self, texts: Sequence[str]):
        """(rows, global feature indices, values) of a batch of sentences, as NumPy arrays.

        One pass over the whole batch (not one per sentence): the per-call overhead of NumPy
        would otherwise make it slower than scikit-learn's sparse matrices.
        """
        import numpy as np

        get = self.vocabulary.get
        rows: list[int] = []
        found: list[int] = []
        for row, text in enumerate(texts):
            hits = [i for i in map(get, self._ngrams(text)) if i is not None]
            found += hits
            rows += [row] * len(hits)
        width = self.offset + len(self.vocabulary) + 1
        keys, counts = np.unique(np.array(rows, dtype=np.int64) * width + np.array(found, dtype=np.int64),
                                 return_counts=True)
        row_of, idx = keys // width, keys % width
        values = np.log(counts) + 1.0 if self.sublinear else counts.astype(np.float64)
        if self.idf is not None:
            values *= self.idf[idx - self.offset]
        if self.norm == "l2":
            lengths = np.sqrt(np.bincount(row_of, weights=values * values, minlength=len(texts)))
            lengths[lengths == 0] = 1.0
            values /= lengths[row_of]
        return row_of, idx, values


class CompiledPipeline:
    """``predict_proba`` of the fitted pipeline, from its numbers alone (see the module docstring)."""

    def __init__(self, config: dict[str, Any], arrays: dict[str, Any]):
        import numpy as np

        self.config = config
        self.classes_ = np.array(config["classes"])
        self.vectorizers = []
        offset = 0
        for i, vec in enumerate(config["vectorizers"]):
            terms = bytes(arrays[f"terms{i}"]).decode("utf-8").split(_SEPARATOR) if vec["size"] else []
            idf = arrays[f"idf{i}"] if vec["use_idf"] else None
            self.vectorizers.append(_Vectorizer(vec, terms, idf, offset))
            offset += vec["size"]
        self.coef = np.ascontiguousarray(arrays["coef"])  # (labels, features)
        self.intercept = arrays["intercept"]
        self.multilabel = config["multilabel"]

    def predict_proba(self, texts: Sequence[str]):
        import numpy as np

        parts = [vec.features(texts) for vec in self.vectorizers]
        row_of = np.concatenate([p[0] for p in parts])
        idx = np.concatenate([p[1] for p in parts])
        val = np.concatenate([p[2] for p in parts])
        rows = np.empty((len(texts), self.coef.shape[0]))
        for label in range(self.coef.shape[0]):
            rows[:, label] = np.bincount(row_of, weights=val * self.coef[label, idx], minlength=len(texts))
        rows += self.intercept
        probs = 1.0 / (1.0 + np.exp(-rows))
        if not self.multilabel:
            sums = probs.sum(axis=1, keepdims=True)
            np.divide(probs, sums, out=probs, where=sums != 0)
        return probs


def compile_pipeline(pipeline) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(config, arrays) for a pipeline of the supported shape, else None (see the module docstring)."""
    import numpy as np

    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.multiclass import OneVsRestClassifier
        from sklearn.pipeline import FeatureUnion, Pipeline
    except ImportError:
        return None
    if type(pipeline) is not Pipeline or len(pipeline.steps) != 2:
        return None
    union, ovr = pipeline.steps[0][1], pipeline.steps[1][1]
    if type(union) is not FeatureUnion or union.transformer_weights is not None or type(ovr) is not OneVsRestClassifier:
        return None
    config: dict[str, Any] = {"format": FORMAT, "vectorizers": [], "classes": [c.item() if hasattr(c, "item") else c
                                                                              for c in ovr.classes_],
                              "multilabel": bool(ovr.multilabel_)}
    arrays: dict[str, Any] = {}
    for i, (_, vec) in enumerate(union.transformer_list):
        vec_config = _vectorizer_config(vec, TfidfVectorizer)
        if vec_config is None:
            return None
        terms = sorted(vec.vocabulary_, key=vec.vocabulary_.__getitem__)
        if [vec.vocabulary_[t] for t in terms] != list(range(len(terms))) or any(_SEPARATOR in t for t in terms):
            return None
        vec_config["size"] = len(terms)
        arrays[f"terms{i}"] = np.frombuffer(_SEPARATOR.join(terms).encode("utf-8"), dtype=np.uint8)
        if vec_config["use_idf"]:
            arrays[f"idf{i}"] = np.asarray(vec.idf_, dtype=np.float64)
        config["vectorizers"].append(vec_config)
    estimators = ovr.estimators_
    if len(estimators) < 2 or any(type(e) is not LogisticRegression or len(e.classes_) != 2 or e.coef_.shape[0] != 1
                                  for e in estimators):
        return None
    arrays["coef"] = np.vstack([np.asarray(e.coef_, dtype=np.float64) for e in estimators])
    arrays["intercept"] = np.array([float(e.intercept_[0]) for e in estimators])
    if arrays["coef"].shape[1] != sum(v["size"] for v in config["vectorizers"]):
        return None
    return config, arrays


def _vectorizer_config(vec, tfidf_class) -> dict[str, Any] | None:
    if type(vec) is not tfidf_class or vec.analyzer not in ("word", "char"):
        return None
    defaults = {"input": "content", "decode_error": "strict", "strip_accents": None, "preprocessor": None,
                "tokenizer": None, "stop_words": None, "binary": False, "vocabulary": None}
    if any(getattr(vec, name) != value for name, value in defaults.items()):
        return None
    if vec.norm not in ("l2", None) or (vec.analyzer == "word" and re.compile(vec.token_pattern).groups):
        return None
    return {"analyzer": vec.analyzer, "lowercase": bool(vec.lowercase), "ngram_range": list(vec.ngram_range),
            "sublinear_tf": bool(vec.sublinear_tf), "norm": vec.norm, "use_idf": bool(vec.use_idf),
            "token_pattern": vec.token_pattern}


def save_compiled(path: Path, model_sha256: str, compiled: tuple[dict[str, Any], dict[str, Any]]) -> None:
    import numpy as np

    config, arrays = compiled
    config = dict(config, model_sha256=model_sha256)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.savez(fh, config=np.frombuffer(json.dumps(config).encode("utf-8"), dtype=np.uint8), **arrays)
    os.replace(tmp, path)


def load_compiled(path: Path, model_sha256: str) -> CompiledPipeline | None:
    import numpy as np

    with np.load(path, allow_pickle=False) as data:
        config = json.loads(bytes(data["config"]).decode("utf-8"))
        if config.get("format") != FORMAT or config.get("model_sha256") != model_sha256:
            return None
        arrays = {name: data[name] for name in data.files if name != "config"}
    return CompiledPipeline(config, arrays)


def load_classifier(path: str | Path | None = None):
    """``classifier.load_classifier`` with the fast start: same result, same checks on the file.

    The model file's sha256 is verified against its metadata on every call; only a verified
    file's cache is used. Anything unexpected falls back on the safe loader, which raises the
    usual ``ModelError`` for a bad file.
    """
    from svmine.detect import classifier as base

    model = Path(path) if path is not None else base.default_model_path()
    if os.environ.get("SVMINE_MODEL_CACHE", "1") == "0" or not model.is_file():
        return base.load_classifier(path)
    try:
        meta = base._read_metadata(model)
        actual = sha256_file(model)
    except Exception:  # noqa: BLE001 - the safe loader gives the proper error
        return base.load_classifier(path)
    if actual == meta.get("model_sha256"):
        cached = cache_path(actual)
        try:
            compiled = load_compiled(cached, actual) if cached.is_file() else None
        except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt
            compiled = None
        labels = list(meta.get("labels", []))
        if compiled is not None and len(compiled.classes_) == len(labels):
            _warn_on_versions(meta, model)
            return base.SentenceClassifier(compiled, labels, dict(meta.get("thresholds", {})), meta, model)
    loaded = base.load_classifier(path)
    if loaded is None or actual != meta.get("model_sha256"):
        return loaded
    try:
        parts = compile_pipeline(loaded.pipeline)
    except Exception:  # noqa: BLE001 - an unexpected shape is used as it is
        parts = None
    if parts is None:
        return loaded
    try:
        save_compiled(cache_path(actual), actual, parts)
    except OSError:  # no cache only means no fast start next time
        pass
    # The compiled copy from now on, also in this first process: every scan then predicts with
    # the same code, bit for bit, whether or not the cache existed when it started.
    return base.SentenceClassifier(CompiledPipeline(*parts), loaded.labels, loaded.thresholds, loaded.metadata,
                                   loaded.path)


def _warn_on_versions(meta: dict[str, Any], path: Path) -> None:
    saved, running = meta.get("versions", {}).get("sklearn"), _sklearn_version()
    if saved and saved.split(".")[:2] != running.split(".")[:2]:
        warnings.warn(f"{path}: trained with scikit-learn {saved}, running {running}; "
                      "retrain with `svmine train` if predictions look wrong", stacklevel=3)
