"""svmine.detect.training: the annotation set, its split, merging store decisions, train_model."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from svmine.detect.classifier import EXPLICIT, IMPLICIT, LABELS, OTHER, VCSE, load_classifier
from svmine.detect.training import (
    AnnotationError,
    assign_splits,
    default_annotations_path,
    limit_records,
    load_annotations,
    merge_examples,
    train_model,
    tune_thresholds,
)
from svmine.hashing import sha256_file


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return load_annotations(default_annotations_path())


def test_annotation_set_is_large_and_balanced(records):
    assert len(records) >= 800
    counts = Counter(label for r in records for label in r["labels"])
    assert all(counts[label] >= 150 for label in LABELS), counts
    # Hard negatives in the register of real documents (ids hn-*) make `other` the largest label;
    # it must not swamp the positives (the classifier is one-vs-rest with balanced class weights).
    assert counts[OTHER] <= 1.5 * (counts[EXPLICIT] + counts[IMPLICIT] + counts[VCSE])
    hard = [r for r in records if r["id"].startswith("hn-")]
    assert len(hard) >= 300 and all(r["labels"] == [OTHER] for r in hard)
    multi = [r for r in records if len(r["labels"]) > 1]
    assert {tuple(r["labels"]) for r in multi} == {(EXPLICIT, VCSE), (IMPLICIT, VCSE)}


def test_annotation_texts_are_unique(records):
    texts = Counter(" ".join(r["text"].lower().split()) for r in records)
    assert [t for t, n in texts.items() if n > 1] == []


def test_shipped_split_is_the_deterministic_stratified_one(records):
    assert {r["id"]: r["split"] for r in records} == assign_splits(records)
    groups = defaultdict(Counter)
    for r in records:
        groups[tuple(r["labels"])][r["split"]] += 1
    for combo, c in groups.items():
        share = c["test"] / (c["test"] + c["train"])
        assert 0.15 <= share <= 0.25, (combo, c)


def test_hard_negatives_from_the_issue_are_annotated_other(records):
    others = " ".join(r["text"].lower() for r in records if r["labels"] == [OTHER])
    for phrase in ("voluntary redundancy", "adult social care", "value for money", "community nursing",
                   "value social contact", "social prescribing"):
        assert phrase in others, phrase


def _write(tmp_path: Path, lines: list) -> Path:
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        ({"id": "a", "text": "", "labels": [OTHER]}, "non-empty 'text'"),
        ({"id": "a", "text": "x", "labels": ["social"]}, "unknown label"),
        ({"id": "a", "text": "x", "labels": []}, "non-empty list"),
        ({"id": "a", "text": "x", "labels": [OTHER, VCSE]}, "'other' must stand alone"),
        ({"id": "a", "text": "x", "labels": [EXPLICIT, IMPLICIT]}, "not both"),
        ({"id": "a", "text": "x", "labels": [VCSE], "split": "dev"}, "split must be"),
    ],
)
def test_bad_annotation_lines_are_reported_with_line_number(tmp_path, line, message):
    path = _write(tmp_path, [{"id": "ok", "text": "fine", "labels": [OTHER]}, line])
    with pytest.raises(AnnotationError, match=message) as info:
        load_annotations(path)
    assert "line 2" in str(info.value)


def test_duplicate_ids_and_empty_file(tmp_path):
    with pytest.raises(AnnotationError, match="duplicate id"):
        load_annotations(_write(tmp_path, [{"id": "a", "text": "x", "labels": [OTHER]}] * 2))
    (tmp_path / "empty.jsonl").write_text("\n")
    with pytest.raises(AnnotationError, match="no annotations"):
        load_annotations(tmp_path / "empty.jsonl")


def test_assign_splits_is_stable_and_stratified():
    recs = [{"id": f"x{i}", "labels": [VCSE if i % 2 else OTHER]} for i in range(100)]
    first, second = assign_splits(recs), assign_splits(list(reversed(recs)))
    assert first == second
    by_label = Counter((r["labels"][0], first[r["id"]]) for r in recs)
    assert by_label[(VCSE, "test")] == by_label[(OTHER, "test")] == 10


def test_limit_records_keeps_every_group_and_both_splits(records):
    subset = limit_records(records, 120)
    assert 100 <= len(subset) <= 140
    assert {tuple(r["labels"]) for r in subset} == {tuple(r["labels"]) for r in records}
    assert {r["split"] for r in subset} == {"train", "test"}
    assert limit_records(records, 120) == subset


def test_merge_examples_overrides_adds_and_protects_heldout():
    train = [{"id": "a", "text": "Local charities run clubs.", "labels": [VCSE]}]
    test = [{"id": "b", "text": "The Social Value Act applies.", "labels": [EXPLICIT]}]
    extra = [
        {"text": "local  charities run clubs.", "labels": [OTHER]},  # same sentence, other spacing/case
        {"text": "The Social Value Act applies.", "labels": [OTHER]},  # held-out: never trained on
        {"text": "A brand new sentence.", "labels": []},  # no label left: "other"
    ]
    merged, summary = merge_examples(train, test, extra)
    assert (summary.overridden, summary.added, summary.dropped_heldout) == (1, 1, 1)
    assert sorted((r["text"], tuple(r["labels"])) for r in merged) == [
        ("A brand new sentence.", (OTHER,)), ("Local charities run clubs.", (OTHER,))]


def test_tune_thresholds_picks_the_best_f1_threshold():
    gold = [[VCSE], [VCSE], [OTHER], [OTHER]]
    probs = [{VCSE: 0.7, EXPLICIT: 0, IMPLICIT: 0}, {VCSE: 0.35, EXPLICIT: 0, IMPLICIT: 0},
             {VCSE: 0.3, EXPLICIT: 0, IMPLICIT: 0}, {VCSE: 0.1, EXPLICIT: 0, IMPLICIT: 0}]
    assert tune_thresholds(gold, probs)[VCSE] == 0.35


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "small.skops"
    return train_model(default_annotations_path(), out=out, limit=260, cv_folds=3), out


def test_train_model_writes_model_and_metadata(small_run):
    report, out = small_run
    meta = json.loads(out.with_suffix(".json").read_text())
    assert report.model_path == str(out) and meta["model_sha256"] == sha256_file(out)
    assert meta["annotations"]["sha256"] == sha256_file(default_annotations_path())
    assert meta["annotations"]["n_train"] == report.n_train and meta["heldout"]["n"] == report.n_test
    assert meta["cv"]["scores"] == report.cv_scores and meta["heldout"]["scores"] == report.heldout_scores
    assert meta["thresholds"] == report.thresholds and meta["params"]["random_state"] == 0
    assert set(report.heldout_scores) == set(LABELS)
    assert report.heldout_scores[EXPLICIT]["f1"] > 0.8  # even a quarter of the data finds the phrase


def test_training_is_deterministic(small_run, tmp_path):
    report, out = small_run
    again = train_model(default_annotations_path(), out=tmp_path / "again.skops", limit=260, cv_folds=3)
    assert again.cv_scores == report.cv_scores and again.thresholds == report.thresholds
    sentences = ["We buy from local firms.", "The car park is full.", "Charities run lunch clubs."]
    assert load_classifier(out).predict_proba(sentences) == load_classifier(again.model_path).predict_proba(sentences)


def test_extra_examples_change_the_model_and_report_before_scores(tmp_path):
    sentence = "Hospital volunteers hand out leaflets about the new outpatient wing."
    extra = [{"text": sentence, "labels": [VCSE]}] * 1 + [
        {"text": f"Hospital volunteers help with task number {i} in the outpatient wing.", "labels": [VCSE]}
        for i in range(12)
    ]
    report = train_model(default_annotations_path(), extra, out=tmp_path / "m.skops", limit=260, cv_folds=3)
    assert report.before_heldout_scores is not None and report.merge["added"] == 13
    assert report.n_train == report.merge["added"] + sum(
        r["split"] == "train" for r in limit_records(load_annotations(default_annotations_path()), 260))
    assert VCSE in load_classifier(report.model_path).predict([sentence])[0]


def test_out_empty_string_skips_saving(tmp_path):
    report = train_model(default_annotations_path(), out="", limit=120, cv_folds=2)
    assert report.model_path is None


def test_implicit_threshold_leans_to_precision():
    gold = [[IMPLICIT]] * 3 + [[OTHER]] * 3
    probs = [{IMPLICIT: p, EXPLICIT: 0.0, VCSE: 0.0} for p in (0.9, 0.6, 0.4, 0.45, 0.3, 0.3)]
    assert tune_thresholds(gold, probs, betas={})[IMPLICIT] == 0.4  # F1 optimum
    assert tune_thresholds(gold, probs)[IMPLICIT] == 0.5  # default: F0.5 for implicit
