"""Leave-one-document-out cross-validation on the real gold (svmine/detect/crossval.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.detect.crossval import document_folds, real_training_examples
from svmine.detect.gold import GoldSentence

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "annotations" / "gold" / "real.jsonl"
ANNOTATIONS = ROOT / "annotations" / "sentences.jsonl"


@pytest.mark.parametrize(
    "docs",
    [
        ["a", "a", "b", "c", "b", "a"],
        ["only", "only", "only"],
        ["x", "y"],
        ["d2", "d1", "d2", "d3", "d1", "d3", "d3"],
    ],
)
def test_document_folds_never_put_a_document_on_both_sides(docs):
    folds = document_folds(docs)
    assert [doc for doc, _, _ in folds] == sorted(set(docs))
    tested = []
    for doc, train, test in folds:
        assert {docs[i] for i in test} == {doc}
        assert doc not in {docs[i] for i in train}
        assert sorted(train + test) == list(range(len(docs)))
        tested += test
    assert sorted(tested) == list(range(len(docs)))  # every item is scored exactly once


def _record(n: int, doc: str, labels: list[str], text: str) -> GoldSentence:
    rec = GoldSentence(f"g{n}", doc, "0" * 64, 1, 0, len(text), "x", labels, "", "tune")
    rec.text = text
    return rec


RECORDS = [
    _record(1, "plan.md", ["social_value_implicit"], "We will buy food from farms in the county."),
    _record(2, "plan.md", ["other"], "The board noted the finance report."),
    _record(3, "minutes.txt", ["vcse"], "Charities run the befriending service."),
    _record(4, "minutes.txt", ["social_value_implicit"], "Our cleaning contract pays the real Living Wage."),
    _record(5, "report.pdf", ["other"], "Waiting times fell in the spring."),
]


@pytest.mark.parametrize(
    "mode, exclude, ids",
    [
        ("none", None, []),
        ("negatives", None, ["g2", "g3", "g5"]),
        ("all", None, ["g1", "g2", "g3", "g4", "g5"]),
        ("all", "minutes.txt", ["g1", "g2", "g5"]),
        ("negatives", "plan.md", ["g3", "g5"]),
    ],
)
def test_real_training_examples_follow_the_mode_and_leave_the_document_out(mode, exclude, ids):
    examples = real_training_examples(RECORDS, mode, exclude)
    assert [e["id"] for e in examples] == [f"real-{i}" for i in ids]
    assert all(e["text"] and e["labels"] for e in examples)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="none, negatives, all"):
        real_training_examples(RECORDS, "some")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--threshold", "0.9"], "apply only with --cv documents"),
        (["--show-errors"], "apply only with --cv documents"),
        (["--cv", "documents", "--split", "heldout"], "needs real-text gold"),
    ],
)
def test_cv_options_are_checked(args, message):
    result = CliRunner().invoke(app, ["evaluate", "--gold", str(GOLD), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cv_needs_real_gold(tmp_path):
    gold = tmp_path / "sentences.jsonl"
    gold.write_text(json.dumps({"text": "We fund charities.", "labels": ["vcse"]}) + "\n")
    result = CliRunner().invoke(app, ["evaluate", "--gold", str(gold), "--cv", "documents"])
    assert result.exit_code == 2 and "needs real-text gold" in result.output


# Three small gold documents (a summary, a transcript, a guidance page) scored, a fourth on the
# training side only. A gold file of these text documents (references only) and a 300-sentence
# subset of the annotation set keep it fast (the PDFs' reference text takes long to extract).
SUBSET = [
    "data/uk_public_docs_text/al26152-Langchain/Healthy-Leeds-Plan-Executive-Summary_plain_text_DRAFT-v4.1.md",
    "data/uk_public_docs_text/al26152-Langchain/Leeds City Council - Adults, Health & Active Lifestyles Scrutiny Board -14-10-2025.txt",
    "data/uk_public_docs_text/al26152-Langchain/NHS England _ Planning framework for the NHS in England.md",
]
TRAIN_ONLY = "data/uk_public_docs_text/al26152-Langchain/10-year-health-plan-for-england-executive-summary.md"


@pytest.mark.shared
def test_cross_validation_on_three_documents(shared_dir, tmp_path):
    from svmine.detect.crossval import cross_validate_documents, format_cross_validation
    from svmine.detect.gold import read_gold_records
    from svmine.detect.training import limit_records, load_annotations

    small = tmp_path / "small.jsonl"
    small.write_text("".join(json.dumps(r) + "\n" for r in limit_records(load_annotations(ANNOTATIONS), 300)))
    records = [r for r in read_gold_records(GOLD) if r.doc in SUBSET or r.doc == TRAIN_ONLY]
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in records))
    report = cross_validate_documents(gold_file, shared_dir, real_examples="negatives", threshold=0.8,
                                      annotations_path=small, documents=SUBSET)
    gold = [r for r in records if r.doc in SUBSET]
    assert report.documents == 3 and report.n == len(gold)
    assert [d["doc"] for d in report.per_document] == sorted(SUBSET)
    assert report.implicit_gold == sum("social_value_implicit" in r.labels for r in gold) > 0
    assert report.implicit_reported == sum(d["implicit_hits"] for d in report.per_document)
    implicit = report.scores["social_value_implicit"]
    assert implicit["tp"] + implicit["fn"] == report.implicit_gold
    assert implicit["tp"] + implicit["fp"] <= report.implicit_reported  # two hits may share one gold sentence
    hits = [s["tp"] + s["fp"] for s in report.sweep]
    assert hits == sorted(hits, reverse=True)  # a higher threshold never adds hits
    assert "leave-one-document-out" in format_cross_validation(report)
