"""Real-text gold by reference: loader, verification, alignment and `svmine evaluate --gold` on it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app
from svmine.detect.evaluation import GoldError
from svmine.detect.gold import (
    GoldSentence,
    letter_key,
    load_gold,
    locate,
    read_gold_records,
    reference_pages,
    split_of,
    text_sha1,
)
from svmine.hashing import sha256_file

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "annotations" / "gold" / "real.jsonl"
runner = CliRunner()

# A small document written for these tests, hard-wrapped with a blank line inside a sentence and
# a transcript timestamp, as the real inputs are.
DOC = (
    "Our plan for the year\n\n"
    "00:01:02.500 The trust will buy more of its food from farms in the county so that local\n\n"
    "growers benefit from what the hospital spends.\n"
    "Car parking charges for staff will rise in April.\n"
)


def _record(doc: str, text: str, sentence: str, labels: list[str], rid: str, sha: str) -> dict:
    start = text.index(sentence)
    return GoldSentence(rid, doc, sha, 1, start, start + len(sentence), text_sha1(sentence), labels,
                        "written for the test", split_of(doc)).to_dict()


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    root = tmp_path / "shared"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "plan.txt").write_text(DOC, encoding="utf-8")
    return root


@pytest.fixture
def gold_file(tmp_path: Path, shared: Path) -> Path:
    path = shared / "docs" / "plan.txt"
    text = reference_pages(path)[0]
    sha = sha256_file(path)
    first = text[text.index("The trust"): text.index("spends.") + len("spends.")]
    rows = [_record("docs/plan.txt", text, first, ["social_value_implicit"], "g1", sha),
            _record("docs/plan.txt", text, "Car parking charges for staff will rise in April.", ["other"], "g2", sha)]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return gold


def test_load_gold_resolves_text_from_the_shared_folder(gold_file, shared):
    records = load_gold(gold_file, shared)
    assert [r.id for r in records] == ["g1", "g2"]
    assert " ".join(records[0].text.split()).endswith("what the hospital spends.")
    assert load_gold(gold_file, shared, split=records[0].split)[0].id == "g1"


def test_changed_document_is_reported_by_sha256(gold_file, shared):
    (shared / "docs" / "plan.txt").write_text(DOC.replace("April", "May"), encoding="utf-8")
    with pytest.raises(GoldError, match=r"2 gold sentence\(s\) could not be verified.*sha256 differs"):
        load_gold(gold_file, shared)


def test_drifted_offsets_are_reported_by_sentence_hash(gold_file, shared):
    rows = [json.loads(line) for line in gold_file.read_text().splitlines()]
    rows[1]["start"] += 4  # the reference text no longer gives the labelled sentence
    gold_file.write_text("".join(json.dumps(r) + "\n" for r in rows))
    with pytest.raises(GoldError, match=r"g2 .*sentence hash differs"):
        load_gold(gold_file, shared)


def test_missing_shared_folder_and_bad_records(gold_file, tmp_path):
    with pytest.raises(GoldError, match="is absent"):
        load_gold(gold_file, tmp_path / "nowhere")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "doc": "a.txt", "sha256": "0", "page": 1, "start": 5, "end": 2, '
                   '"text_sha1": "0", "labels": ["other"], "split": "tune"}\n')
    with pytest.raises(GoldError, match="0 <= start < end"):
        read_gold_records(bad)


@pytest.mark.parametrize(
    ("page_text", "found"),
    [
        # re-flowed, timestamp removed, markup added: the letters are the same
        ("Our plan for the year\n\n**The trust** will buy more of its food from farms in the county so that "
         "local growers benefit from what the hospital spends. Car parking charges for staff will rise in April.",
         {"g1", "g2"}),
        ("Something else entirely.", set()),
    ],
)
def test_locate_finds_gold_sentences_in_other_texts_of_the_page(gold_file, shared, page_text, found):
    records = load_gold(gold_file, shared)
    spans = locate(records, page_text)
    assert set(spans) == found
    for rid, (start, end) in spans.items():
        rec = next(r for r in records if r.id == rid)
        assert letter_key(page_text[start:end])[0] == letter_key(rec.text)[0]


def test_split_rule_is_by_document_and_deterministic():
    assert split_of("data/a.md") == split_of("data/a.md")
    assert {split_of(f"data/doc{i}.md") for i in range(40)} == {"tune", "heldout"}


def test_shipped_gold_follows_the_split_rule_and_labels():
    records = read_gold_records(GOLD)
    assert len(records) >= 1000
    assert all(r.split == split_of(r.doc) for r in records)
    counts = Counter(label for r in records for label in r.labels)
    assert counts["social_value_implicit"] >= 20 and counts["vcse"] >= 50
    assert all(r.reason for r in records)


@pytest.mark.shared
def test_shipped_gold_verifies_against_shared(shared_dir):
    records = load_gold(GOLD, shared_dir)  # raises on any sha256 or sentence-hash mismatch
    docs = {r.doc for r in records}
    assert len(docs) >= 15 and all(r.text for r in records)


# -- svmine evaluate --gold on real-text gold -----------------------------------------------------

def test_evaluate_real_gold_prints_scores_and_threshold(gold_file, shared):
    result = runner.invoke(app, ["evaluate", "--gold", str(gold_file), "--shared", str(shared)])
    assert result.exit_code == 0, result.output
    assert "real gold: 2 sentences in 1 documents" in result.output
    assert "detector (patterns + gated classifier)" in result.output
    assert "thresholds:" in result.output and "social_value_implicit 0." in result.output
    assert "calibration: social_value_implicit platt" in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("other"))
    assert row.split()[-1] == "1"  # support of `other`


def test_evaluate_real_gold_json(gold_file, shared):
    result = runner.invoke(app, ["evaluate", "--gold", str(gold_file), "--shared", str(shared), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["n"] == 2 and data["implicit_gold"] == 1
    assert data["thresholds"]["social_value_implicit"] == pytest.approx(
        json.loads((ROOT / "models" / "sentence-classifier.json").read_text())["thresholds"]["social_value_implicit"])


@pytest.mark.parametrize("problem", ["absent", "changed"])
def test_evaluate_real_gold_exits_2_when_documents_cannot_be_verified(gold_file, shared, tmp_path, problem):
    if problem == "changed":
        (shared / "docs" / "plan.txt").write_text(DOC + "One more line.\n", encoding="utf-8")
    where = tmp_path / "missing" if problem == "absent" else shared
    result = runner.invoke(app, ["evaluate", "--gold", str(gold_file), "--shared", str(where)])
    assert result.exit_code == 2
    assert ("is absent" if problem == "absent" else "sha256 differs") in result.output


def test_split_option_is_only_for_real_gold(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"text": "Social value matters.", "labels": ["social_value_explicit"]}\n')
    result = runner.invoke(app, ["evaluate", "--gold", str(gold), "--split", "tune"])
    assert result.exit_code == 2 and "only to real-text gold" in result.output
