"""Commands `svmine train` and `svmine evaluate`, and the scoring they print."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.detect.evaluation import EvaluationReport, evaluate_sentences, format_table, match_spans, span_scores

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "classifier"
GOLD_SENTENCES = FIXTURES / "gold_sentences.jsonl"
GOLD_DOCUMENTS = FIXTURES / "gold_documents.jsonl"
MODEL = ROOT / "models" / "sentence-classifier.skops"

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args))


# -- train -------------------------------------------------------------------------------------

def test_train_writes_model_and_prints_scores(tmp_path):
    out = tmp_path / "m.skops"
    result = run("train", "--limit", "200", "--cv-folds", "2", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "cross-validated (2-fold)" in result.output and "held-out" in result.output
    for label in ("social_value_explicit", "social_value_implicit", "vcse", "other"):
        assert result.output.count(label) >= 3  # CV row, held-out row, thresholds
    assert out.is_file() and out.with_suffix(".json").is_file()


def test_train_from_db_merges_decisions_and_prints_before_after(tmp_path, monkeypatch):
    import svmine.store.decisions as store_annotations

    db = tmp_path / "svmine.db"
    db.write_bytes(b"")  # the option only needs an existing file; decisions come from the stub
    seen = []

    def fake_examples(path):
        seen.append(Path(path))
        return [{"text": "The hospital shop sells newspapers and flowers.", "labels": ["vcse"]},
                {"text": "Charities run clubs for carers across the county.", "labels": ["other"]}]

    monkeypatch.setattr(store_annotations, "training_examples", fake_examples)
    result = run("train", "--limit", "200", "--cv-folds", "2", "--out", str(tmp_path / "m.skops"),
                 "--from-db", str(db))
    assert result.exit_code == 0, result.output
    assert seen == [db]
    assert "2 labelled sentences" in result.output and "added 2" in result.output
    assert "F1 before" in result.output


def test_train_from_db_without_store_function_fails_clearly(tmp_path, monkeypatch):
    import svmine.store.decisions as store_annotations

    monkeypatch.delattr(store_annotations, "training_examples")
    db = tmp_path / "svmine.db"
    db.write_bytes(b"")
    result = run("train", "--from-db", str(db), "--out", str(tmp_path / "m.skops"))
    assert result.exit_code == 2
    assert "training_examples" in result.output


def test_train_rejects_bad_annotations(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x", "labels": ["nope"]}\n')
    result = run("train", "--annotations", str(bad), "--out", str(tmp_path / "m.skops"))
    assert result.exit_code == 2
    assert "unknown label" in result.output and "line 1" in result.output


# -- evaluate: sentences -----------------------------------------------------------------------

def _json(result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_evaluate_sentences_table_and_json():
    table = run("evaluate", "--gold", str(GOLD_SENTENCES))
    assert table.exit_code == 0, table.output
    assert "sentences: 12 scored" in table.output and "TN" in table.output
    data = _json(run("evaluate", "--gold", str(GOLD_SENTENCES), "--format", "json"))
    assert data["kind"] == "sentences" and data["n"] == 12
    for label, s in data["scores"].items():
        assert s["tp"] + s["fp"] + s["fn"] + s["tn"] == 12
        assert f"{s['f1']:.3f}" in table.output
    assert data["scores"]["social_value_explicit"]["support"] == 4


def test_evaluate_counts_a_planted_gold_error(tmp_path):
    gold = tmp_path / "gold.jsonl"
    wrong = {"text": "The car park next to the maternity unit will be resurfaced in May.", "labels": ["vcse"]}
    gold.write_text(GOLD_SENTENCES.read_text() + json.dumps(wrong) + "\n")
    base = _json(run("evaluate", "--gold", str(GOLD_SENTENCES), "--format", "json"))["scores"]
    planted = _json(run("evaluate", "--gold", str(gold), "--format", "json"))["scores"]
    assert planted["vcse"]["fn"] == base["vcse"]["fn"] + 1
    assert planted["other"]["fp"] == base["other"]["fp"] + 1
    assert planted["vcse"]["support"] == base["vcse"]["support"] + 1


def test_evaluate_with_explicit_model_and_tampered_model(tmp_path):
    model = tmp_path / "m.skops"
    shutil.copy(MODEL, model)
    shutil.copy(MODEL.with_suffix(".json"), model.with_suffix(".json"))
    ok = _json(run("evaluate", "--gold", str(GOLD_SENTENCES), "--model", str(model), "--format", "json"))
    assert ok["model"] == str(model)
    model.write_bytes(model.read_bytes() + b"\0")
    bad = run("evaluate", "--gold", str(GOLD_SENTENCES), "--model", str(model))
    assert bad.exit_code == 2 and "tampered" in bad.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no records"),
        ("{oops\n", "not JSON"),
        ('{"labels": ["vcse"]}\n', "'text' string"),
        ('{"text": "a", "labels": ["vcse"]}\n{"text": "b"}\n', "expected a 'labels' list"),
        ('{"text": "a", "labels": ["sv"]}\n', "unknown label"),
    ],
)
def test_evaluate_rejects_bad_gold(tmp_path, content, message):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content)
    result = run("evaluate", "--gold", str(gold))
    assert result.exit_code == 2 and message in result.output


class FakeClassifier:
    labels = ["social_value_explicit", "social_value_implicit", "vcse", "other"]
    path = None

    def __init__(self, answers):
        self.answers = answers

    def predict(self, sentences):
        return [self.answers[s] for s in sentences]


def test_confusion_counts_by_hand():
    records = [{"text": "a", "labels": ["vcse"]}, {"text": "b", "labels": ["other"]},
               {"text": "c", "labels": ["social_value_explicit", "vcse"]}, {"text": "d", "labels": ["vcse"]}]
    answers = {"a": ["vcse"], "b": ["vcse"], "c": ["social_value_explicit"], "d": ["other"]}
    scores = evaluate_sentences(records, FakeClassifier(answers)).scores
    assert {k: scores["vcse"][k] for k in ("tp", "fp", "fn", "tn")} == {"tp": 1, "fp": 1, "fn": 2, "tn": 0}
    assert scores["vcse"]["precision"] == 0.5 and scores["vcse"]["recall"] == pytest.approx(0.3333)
    assert scores["other"] == {"tp": 0, "fp": 1, "fn": 1, "tn": 2, "support": 1,
                               "precision": 0.0, "recall": 0.0, "f1": 0.0}


# -- evaluate: documents with mentions ---------------------------------------------------------

@pytest.mark.parametrize(
    ("gold", "pred", "matched"),
    [
        ([(0, 10)], [(5, 15)], 1),  # overlap counts
        ([(0, 10)], [(10, 20)], 0),  # touching is not overlapping
        ([(0, 10)], [(0, 3), (4, 9)], 1),  # one gold span matches one prediction only
        ([(0, 10), (20, 30)], [(5, 25)], 1),
        ([], [(0, 4)], 0),
    ],
)
def test_match_spans(gold, pred, matched):
    assert match_spans(gold, pred) == matched


def test_span_scores_per_category():
    gold = [[{"category": "vcse", "start": 0, "end": 5}, {"category": "social_value", "start": 10, "end": 22}]]
    pred = [[{"category": "vcse", "start": 1, "end": 4}, {"category": "vcse", "start": 30, "end": 40},
             {"category": "social_value", "start": 50, "end": 60}]]
    scores = span_scores(gold, pred)
    assert (scores["vcse"]["tp"], scores["vcse"]["fp"], scores["vcse"]["fn"]) == (1, 1, 0)
    assert (scores["social_value"]["tp"], scores["social_value"]["fp"], scores["social_value"]["fn"]) == (0, 1, 1)
    table = format_table(EvaluationReport("documents", 1, scores))
    assert table.startswith("category") and " - " in table  # TN is undefined for spans


def test_evaluate_documents_through_the_detector():
    pytest.importorskip("spacy")
    try:
        from svmine.detect import Detector  # noqa: F401  (built by the detection stage)
    except (ImportError, AttributeError) as exc:
        pytest.skip(f"svmine.detect.Detector not available: {exc}")
    data = _json(run("evaluate", "--gold", str(GOLD_DOCUMENTS), "--format", "json"))
    assert data["kind"] == "documents" and data["n"] == 4
    assert set(data["scores"]) >= {"social_value", "vcse"}
    # The planted mentions are plain explicit phrases; the hard negatives beside them
    # (voluntary redundancy, adult social care, value for money, community nursing) must not fire.
    assert data["scores"]["vcse"]["recall"] == 1.0 and data["scores"]["social_value"]["recall"] == 1.0
    assert all(s["fp"] == 0 for s in data["scores"].values())
    table = run("evaluate", "--gold", str(GOLD_DOCUMENTS))
    assert table.exit_code == 0 and "documents: 4 scored" in table.output


def test_train_from_a_real_empty_store(tmp_path, db_path):
    result = run("train", "--limit", "150", "--cv-folds", "2", "--out", str(tmp_path / "m.skops"),
                 "--from-db", str(db_path))
    assert result.exit_code == 0, result.output
    assert "0 labelled sentences" in result.output and (tmp_path / "m.skops").is_file()
