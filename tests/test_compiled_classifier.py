"""The NumPy-only copy of the sentence classifier (``svmine.detect.compiled``): same
probabilities as the scikit-learn pipeline, same checks on the model file, a faster start."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from svmine.detect import classifier as base
from svmine.detect import compiled
from svmine.errors import ModelError

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "sentence-classifier.skops"
pytestmark = pytest.mark.skipif(not MODEL.is_file(), reason="no trained model in models/")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("SVMINE_CACHE", str(folder))
    return folder


@pytest.fixture(scope="module")
def reference():
    return base.load_classifier(MODEL)


def _sentences() -> list[str]:
    path = ROOT / "annotations" / "sentences.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_first_load_is_the_safe_one_and_writes_the_cache(cache: Path, monkeypatch) -> None:
    calls = []
    safe = base.load_classifier
    monkeypatch.setattr(base, "load_classifier", lambda path=None: calls.append(path) or safe(path))
    first = compiled.load_classifier(MODEL)
    assert calls == [MODEL]  # verified by the sha256 check, the type audit and skops
    assert [p.name for p in cache.iterdir()] == [compiled.cache_path(first.sha256).name]
    second = compiled.load_classifier(MODEL)
    assert calls == [MODEL]  # from the cache
    assert isinstance(first.pipeline, compiled.CompiledPipeline) and isinstance(second.pipeline, compiled.CompiledPipeline)
    assert (second.labels, second.thresholds, second.sha256) == (first.labels, first.thresholds, first.sha256)


def test_probabilities_equal_the_sklearn_pipeline_on_every_annotated_sentence(cache: Path, reference) -> None:
    compiled.load_classifier(MODEL)
    fast = compiled.load_classifier(MODEL)
    sentences = _sentences()
    assert len(sentences) > 500
    np.testing.assert_allclose(fast.pipeline.predict_proba([base.normalise(s) for s in sentences]),
                               reference.pipeline.predict_proba([base.normalise(s) for s in sentences]), atol=1e-9)
    assert fast.predict(sentences) == reference.predict(sentences)


@pytest.mark.parametrize("text", ["", "a", "   ", "Ünïcödé  social\tvalue", "x" * 5000,
                                  "the voluntary and community sector " * 200, "£ € — “quotes” 2024/25"])
def test_probabilities_agree_on_odd_inputs(cache: Path, reference, text: str) -> None:
    compiled.load_classifier(MODEL)
    fast = compiled.load_classifier(MODEL)
    assert fast.predict_proba([text])[0] == pytest.approx(reference.predict_proba([text])[0], abs=1e-9)


def test_the_fast_start_does_not_import_scikit_learn(cache: Path) -> None:
    compiled.load_classifier(MODEL)
    code = ("import sys\nfrom svmine.detect.compiled import load_classifier\nc = load_classifier()\n"
            "print(type(c.pipeline).__name__, 'sklearn' in sys.modules, 'skops' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["CompiledPipeline", "False", "False"]


def test_a_changed_model_file_is_refused_even_with_a_cache(cache: Path, tmp_path: Path) -> None:
    model = tmp_path / "m.skops"
    shutil.copy(MODEL, model)
    shutil.copy(base.metadata_path(MODEL), base.metadata_path(model))
    compiled.load_classifier(model)
    with model.open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ModelError, match="does not match the metadata"):
        compiled.load_classifier(model)


def test_a_cache_for_another_model_is_not_used(cache: Path, reference) -> None:
    compiled.load_classifier(MODEL)
    path = compiled.cache_path(reference.sha256)
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    config = json.loads(bytes(arrays.pop("config")).decode())
    config["model_sha256"] = "0" * 64
    compiled.save_compiled(path, "0" * 64, (config, arrays))
    assert compiled.load_compiled(path, reference.sha256) is None
    compiled.load_classifier(MODEL)  # not used: loaded the safe way and compiled again
    assert compiled.load_compiled(path, reference.sha256) is not None


def test_a_damaged_cache_file_is_rebuilt(cache: Path, reference) -> None:
    compiled.load_classifier(MODEL)
    path = compiled.cache_path(reference.sha256)
    path.write_bytes(b"not numpy")
    assert isinstance(compiled.load_classifier(MODEL).pipeline, compiled.CompiledPipeline)
    assert compiled.load_compiled(path, reference.sha256) is not None


@pytest.mark.parametrize("change", ["binary", "stop_words", "analyzer"])
def test_a_pipeline_of_another_shape_is_not_compiled(reference, change: str) -> None:
    import copy

    pipeline = copy.deepcopy(reference.pipeline)
    vectorizer = pipeline.steps[0][1].transformer_list[0][1]
    setattr(vectorizer, change, {"binary": True, "stop_words": "english", "analyzer": "char_wb"}[change])
    assert compiled.compile_pipeline(pipeline) is None
    assert compiled.compile_pipeline(reference.pipeline) is not None


def test_cache_can_be_turned_off(cache: Path, monkeypatch) -> None:
    monkeypatch.setenv("SVMINE_MODEL_CACHE", "0")
    compiled.load_classifier(MODEL)
    assert type(compiled.load_classifier(MODEL).pipeline).__name__ == "Pipeline"
    assert not cache.exists()
