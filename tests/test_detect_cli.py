"""``svmine detect`` and ``svmine patterns`` through typer's CliRunner."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def plan(tmp_path) -> Path:
    path = tmp_path / "plan.txt"
    path.write_text(
        "Working with partners\n\nWe have not considered social value. The third sector and charities will help.\n"
        "Staff may apply for voluntary redundancy. Social value is weighted at 10% of the quality score.\n",
        encoding="utf-8",
    )
    return path


def test_detect_prints_keyword_in_context_grouped_by_document(plan):
    result = run("detect", plan, "--no-classifier")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{plan}  (4 mentions, 1 facts)"
    assert lines[1] == "  page 1 │ …Working with partners We have not considered [social value]. The third sector and charities will help. S…  social_value negated='not'"
    assert lines[2] == "  page 1 │ …ners We have not considered social value. The [third sector] and charities will help. Staff may apply for …  vcse committed='will'"
    assert lines[-1].startswith("  page 1 │ fact: weighting 10% (quality score) │ Social value is weighted")


def test_detect_jsonl_to_file_with_category_filter(plan, tmp_path):
    out = tmp_path / "out.jsonl"
    result = run("detect", plan, "--no-classifier", "--format", "jsonl", "--category", "vcse", "--out", out)
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["record"], r["category"], r["text"], r["pattern_id"]) for r in records] == [
        ("mention", "vcse", "third sector", "third_sector"),
        ("mention", "vcse", "charities", "charities"),
    ]
    page = plan.read_text()
    assert all(page[r["start"] : r["end"]] == r["text"] for r in records)
    assert records[0]["context"] == {"committed": "will"}
    assert "detect: 1 files, 2 mentions, 0 facts, 0 failed" in result.stderr


def test_unwritable_out_is_a_usage_error(plan, tmp_path):
    result = run("detect", plan, "--no-classifier", "--out", plan / "out.jsonl")  # a file where a folder must be
    assert result.exit_code == 2 and "cannot write" in result.stderr


def test_detect_csv(plan):
    result = run("detect", plan, "--no-classifier", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["record"], r["text"]) for r in rows][-1] == ("fact", "Social value is weighted at 10% of the quality score.")
    fact = rows[-1]
    assert (fact["fact_kind"], fact["value"], fact["basis"]) == ("weighting", "10.0", "quality score")
    assert json.loads(rows[0]["context"]) == {"negated": "not"}


def test_detect_goes_on_past_bad_files_and_exits_1(plan, tmp_path):
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 truncated")
    result = run("detect", tmp_path, "--no-classifier", "-f", "jsonl")
    assert result.exit_code == 1
    assert "broken.pdf" in result.stderr and "1 of 2 files failed" in result.stderr
    assert len(result.stdout.splitlines()) == 5  # plan.txt's 4 mentions + 1 fact


def test_detect_with_user_patterns(plan, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.jsonl").write_text('{"id": "redundancy", "category": "vcse", "pattern": "voluntary redundancy"}\n')
    result = run("detect", plan, "--no-classifier", "-f", "jsonl", "--patterns", rules)
    assert result.exit_code == 0, result.output
    assert [json.loads(x)["text"] for x in result.stdout.splitlines() if '"mention"' in x] == ["voluntary redundancy"]


def test_bad_patterns_folder_is_a_usage_error(plan, tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "mine.jsonl").write_text('{"id": "x", "category": "vcse", "pattern": [{"LOWR": "a"}]}\n')
    result = run("detect", plan, "--patterns", rules)
    assert result.exit_code == 2
    assert f"{rules / 'mine.jsonl'}:1: rule 'x': token 0 has unknown attribute(s) LOWR" in result.stderr


def test_patterns_lists_rules():
    result = run("patterns", "--category", "social_value")
    assert result.exit_code == 0, result.output
    ids = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    assert ids == ["sv_act_full", "sv_act_short", "sv_act", "sv_compound", "sv_phrase"]
    assert "# The Act under its full name" in result.stdout
    context = run("patterns", "--context")
    assert context.exit_code == 0 and "neg_no" in context.stdout and "(forward, window 4)" in context.stdout


# -- the planted sample corpus -------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def sample_run(sample_dir):
    planted_file = sample_dir / "planted.json"
    if not planted_file.is_file():
        pytest.skip("corpora/sample/planted.json not generated (make sample-corpus)")
    result = runner.invoke(app, ["detect", str(sample_dir), "--format", "jsonl"])
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return result, records, json.loads(planted_file.read_text())


def _on(records, item, record="mention"):
    return [r for r in records if r["record"] == record and Path(r["document"]).name == Path(item["file"]).name and r["page"] == item["page"]]


def test_sample_every_planted_mention_is_found(sample_run):
    # contained, not equal: by the counting rule "social value weighting" is one mention
    _, records, planted = sample_run
    missing = [p for p in planted["mentions"]
               if not any(r["category"] == p["category"] and _norm(p["text"]) in _norm(r["text"]) for r in _on(records, p))]
    assert missing == []


def test_sample_planted_implicit_mentions_found_by_classifier(sample_run):
    from svmine.detect.classifier import default_model_path

    if not default_model_path().is_file():
        pytest.skip("no trained model in models/")
    _, records, planted = sample_run
    for p in planted.get("implicit", []):
        found = [r for r in _on(records, p) if r["kind"] == "implicit" and _norm(p["text"]) in _norm(r["sentence"])]
        assert found and found[0]["source"] == "classifier" and found[0]["label"] == "social_value_implicit", p


def test_sample_no_mention_overlaps_a_distractor(sample_run):
    _, records, planted = sample_run
    for d in planted["distractors"]:
        words = r"\s+".join(map(re.escape, d["text"].split()))
        for r in _on(records, d):
            for m in re.finditer(words, r["sentence"]):
                start, end = r["sentence_start"] + m.start(), r["sentence_start"] + m.end()
                assert r["kind"] == "implicit" or not (r["start"] < end and start < r["end"]), (d, r["text"])


def test_sample_planted_facts_are_found(sample_run):
    _, records, planted = sample_run
    for p in planted["facts"]:
        assert any(r["kind"] == p["kind"] and r["value"] == p["value"] for r in _on(records, p, "fact")), p


def test_sample_broken_files_are_reported_and_exit_1(sample_run):
    result, _, planted = sample_run
    assert result.exit_code == 1
    for failure in planted["failures"]:
        assert Path(failure["file"]).name in result.stderr


def test_unverifiable_model_is_a_usage_error(plan, tmp_path, monkeypatch):
    model = tmp_path / "model.skops"
    model.write_bytes(b"not a model")  # no metadata beside it: cannot be verified
    monkeypatch.setenv("SVMINE_MODEL", str(model))
    result = run("detect", plan)
    assert result.exit_code == 2
    assert "refusing to load" in result.stderr
    assert run("detect", plan, "--no-classifier").exit_code == 0
