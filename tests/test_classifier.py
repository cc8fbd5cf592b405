"""svmine.detect.classifier: the shipped model, its metadata, safe loading and predictions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from svmine.detect import classifier as clf_mod
from svmine.detect.classifier import (
    EXPLICIT,
    IMPLICIT,
    LABELS,
    OTHER,
    VCSE,
    SentenceClassifier,
    decide,
    load_classifier,
    save_classifier,
)
from svmine.errors import ModelError
from svmine.hashing import sha256_file

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "sentence-classifier.skops"
ANNOTATIONS = ROOT / "annotations" / "sentences.jsonl"


@pytest.fixture(scope="module")
def shipped() -> SentenceClassifier:
    model = load_classifier(MODEL)
    assert model is not None, "models/sentence-classifier.skops is missing: run `svmine train`"
    return model


@pytest.fixture
def model_copy(tmp_path: Path) -> Path:
    path = tmp_path / "copy.skops"
    shutil.copy(MODEL, path)
    shutil.copy(MODEL.with_suffix(".json"), path.with_suffix(".json"))
    return path


def test_metadata_describes_the_shipped_model(shipped):
    meta = json.loads(MODEL.with_suffix(".json").read_text())
    assert meta["labels"] == list(LABELS)
    assert set(meta["versions"]) >= {"svmine", "sklearn", "skops", "numpy", "python"}
    assert meta["model_sha256"] == sha256_file(MODEL)
    # The model must be retrained whenever the annotation set changes.
    assert meta["annotations"]["sha256"] == sha256_file(ANNOTATIONS)
    assert set(meta["thresholds"]) == set(LABELS)
    assert meta["cv"]["folds"] >= 2 and set(meta["cv"]["scores"]) == set(LABELS)
    assert meta["trained_at"][:2] == "20"
    assert MODEL.stat().st_size < 5_000_000


def test_shipped_model_meets_heldout_targets():
    scores = json.loads(MODEL.with_suffix(".json").read_text())["heldout"]["scores"]
    # The implicit threshold (0.95) is chosen for precision on real documents by the document
    # cross-validation (docs/accuracy.md), so on these in-house sentences recall falls (0.71)
    # and precision is what the shipped model must keep.
    assert scores[IMPLICIT]["precision"] >= 0.95 and scores[IMPLICIT]["f1"] >= 0.8
    assert scores[EXPLICIT]["f1"] >= 0.95
    assert scores[VCSE]["f1"] >= 0.95


# Fresh sentences written for this test (none is in annotations/sentences.jsonl).
PREDICTIONS = [
    ("The CCG gives social value a 10% share of the evaluation marks.", EXPLICIT),
    ("We have no written policy on the Social Value Act.", EXPLICIT),
    ("Social value was not considered when the wheelchair service was retendered.", EXPLICIT),
    ("Bidders must explain what social value they will add in the first year.", EXPLICIT),
    ("The hospital will try to buy more of its supplies from firms in the county.", IMPLICIT),
    pytest.param("Our builders will be required to take on apprentices from the surrounding estates.", IMPLICIT,
                 marks=pytest.mark.xfail(strict=True, reason="p = 0.72 < the precision-first threshold 0.95 "
                                         "chosen by the document CV (docs/accuracy.md): intended recall cost")),
    ("Contracted security staff will be paid no less than the real Living Wage.", IMPLICIT),
    ("As an anchor employer we will open our jobs to residents of the poorest wards.", IMPLICIT),
    ("Suppliers will need a plan to cut the emissions of the goods they deliver to us.", IMPLICIT),
    ("Local charities run the befriending scheme for housebound patients.", VCSE),
    ("The third sector will be represented at every locality board.", VCSE),
    pytest.param("A community group in the east of the town runs a weekly walking club for people with diabetes.",
                 VCSE, marks=pytest.mark.xfail(strict=True, reason="p = 0.44 < 0.50 since training with the real "
                                               "gold, where 'community group' can mean a group of residents; the "
                                               "Detector finds it by the community_groups pattern")),
    ("VCSE partners helped us run the listening events.", VCSE),
    ("Staff were offered voluntary redundancy when the two offices merged.", OTHER),
    ("Adult social care funding will be discussed at the next health and wellbeing board.", OTHER),
    ("The cataract tender will be decided on value for money.", OTHER),
    ("Community nursing teams will start earlier in the morning.", OTHER),
    ("Older patients value social contact with the ward team.", OTHER),
]


@pytest.mark.parametrize(("sentence", "label"), PREDICTIONS)
def test_predicts_label_on_fresh_sentences(shipped, sentence, label):
    assert label in shipped.predict([sentence])[0]


def test_predict_proba_shape_and_range(shipped):
    probs = shipped.predict_proba(["Social value matters.", "The car park is full."])
    assert [set(p) for p in probs] == [set(LABELS)] * 2
    assert all(0.0 <= v <= 1.0 for p in probs for v in p.values())
    assert shipped.predict_proba([]) == []


def test_whitespace_from_pdf_lines_does_not_change_probabilities(shipped):
    one, two = shipped.predict_proba(["the Social Value Act applies", "the Social\nValue   Act\napplies"])
    assert one == two


def test_threshold_override_and_unknown_label(shipped):
    assert shipped.predict(["The car park is full."], threshold=0.0)[0] == [EXPLICIT, VCSE]
    assert 0.0 < shipped.threshold(IMPLICIT) < 1.0
    with pytest.raises(KeyError):
        shipped.threshold("nonsense")


@pytest.mark.parametrize(
    ("probs", "expected"),
    [
        ({EXPLICIT: 0.9, IMPLICIT: 0.8, VCSE: 0.1}, [EXPLICIT]),  # explicit wins over implicit
        ({EXPLICIT: 0.1, IMPLICIT: 0.8, VCSE: 0.7}, [IMPLICIT, VCSE]),
        ({EXPLICIT: 0.1, IMPLICIT: 0.2, VCSE: 0.3}, [OTHER]),
        ({EXPLICIT: 0.5, IMPLICIT: 0.0, VCSE: 0.0}, [EXPLICIT]),  # threshold is inclusive
    ],
)
def test_decide(probs, expected):
    assert decide(probs, {EXPLICIT: 0.5, IMPLICIT: 0.5, VCSE: 0.5}) == expected


def test_missing_file_gives_none_and_env_overrides(tmp_path, monkeypatch, model_copy):
    assert load_classifier(tmp_path / "absent.skops") is None
    monkeypatch.setenv("SVMINE_MODEL", str(tmp_path / "absent.skops"))
    assert load_classifier() is None
    monkeypatch.setenv("SVMINE_MODEL", str(model_copy))
    assert load_classifier().path == model_copy


def test_refuses_tampered_file(model_copy):
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="tampered"):
        load_classifier(model_copy)


def test_refuses_without_metadata(model_copy):
    model_copy.with_suffix(".json").unlink()
    with pytest.raises(ModelError, match="metadata"):
        load_classifier(model_copy)


def test_refuses_garbage_with_matching_hash(tmp_path):
    path = tmp_path / "junk.skops"
    path.write_bytes(b"not a zip file at all")
    _write_matching_metadata(path)
    with pytest.raises(ModelError, match="not a readable skops file"):
        load_classifier(path)


class Sneaky:  # a type nobody put on the trusted list
    def __init__(self, command: str = "echo owned"):
        self.command = command


def _write_matching_metadata(path: Path) -> None:
    meta = {"format": clf_mod.METADATA_FORMAT, "labels": list(LABELS), "thresholds": {},
            "model_sha256": sha256_file(path)}
    path.with_suffix(".json").write_text(json.dumps(meta))


def _pipeline_with(extra_step):
    from sklearn.pipeline import Pipeline

    return Pipeline([("extra", extra_step)])


@pytest.mark.parametrize(
    ("make_step", "untrusted"),
    [
        (lambda: Sneaky(), "test_classifier.Sneaky"),  # skops itself would not trust this either
        # skops trusts every sklearn class by default; our explicit list does not.
        (lambda: __import__("sklearn.svm", fromlist=["SVC"]).SVC(), "sklearn.svm._classes.SVC"),
        (lambda: __import__("sklearn.preprocessing", fromlist=["FunctionTransformer"]).FunctionTransformer(
            func=__import__("os").system), "FunctionTransformer"),
    ],
)
def test_refuses_untrusted_types_even_with_matching_hash(tmp_path, make_step, untrusted):
    import skops.io as sio

    path = tmp_path / "evil.skops"
    sio.dump(_pipeline_with(make_step()), path)
    _write_matching_metadata(path)
    with pytest.raises(ModelError, match="trusted list") as info:
        load_classifier(path)
    assert untrusted in str(info.value)


def test_save_load_round_trip_gives_identical_probabilities(tmp_path):
    from svmine.detect.training import default_annotations_path, fit_classifier, limit_records, load_annotations
    from svmine.detect.classifier import DEFAULT_PARAMS

    records = limit_records(load_annotations(default_annotations_path()), 150)
    trained = fit_classifier(records, DEFAULT_PARAMS, {EXPLICIT: 0.55, IMPLICIT: 0.45, VCSE: 0.5, OTHER: 0.5})
    path = save_classifier(trained, tmp_path / "m.skops", {"note": "round trip"})
    loaded = load_classifier(path)
    sentences = [getattr(row, "values", row)[0] for row in PREDICTIONS]  # plain rows and pytest.param rows
    assert loaded.predict_proba(sentences) == trained.predict_proba(sentences)
    assert loaded.thresholds == trained.thresholds and loaded.labels == list(LABELS)
    assert loaded.metadata["note"] == "round trip" and loaded.sha256 == sha256_file(path)


# -- real public documents (../shared); skipped with a reason when absent ----------------------

_SPLIT = __import__("re").compile(r"(?<=[.!?])\s+(?=[A-Z])|\n\s*\n|\n(?=[-•*#])")


def _real_sentences(path: Path) -> list[str]:
    sents = (" ".join(s.split()) for s in _SPLIT.split(path.read_text(encoding="utf-8", errors="replace")))
    return [s for s in sents if 4 <= len(s.split()) <= 100]


@pytest.mark.shared
def test_explicit_label_on_real_documents_agrees_with_the_phrase(shipped, shared_dir):
    import re

    folder = shared_dir / "data" / "uk_public_docs_text" / "al26152-Langchain"
    sentences = [s for f in sorted(folder.glob("*")) for s in _real_sentences(f)]
    assert len(sentences) > 10_000
    predicted = {s for s, labels in zip(sentences, shipped.predict(sentences)) if EXPLICIT in labels}
    named = {s for s in sentences if re.search(r"social[\s-]+value", s, re.I)}
    assert named and predicted == named


@pytest.mark.shared
def test_few_positives_on_a_real_document_without_social_value(shipped, shared_dir):
    # NHS England planning guidance: no social value or VCSE wording at all (see data/SOURCES.md).
    path = shared_dir / "data" / "uk_public_docs_text" / "al26152-Langchain" / \
        "priorities-and-operational-planning-guidance-january-2025.md"
    sentences = _real_sentences(path)
    labels = shipped.predict(sentences)
    assert sum(IMPLICIT in x for x in labels) / len(sentences) < 0.05
    assert sum(VCSE in x for x in labels) <= 2
