"""`svmine extract` through typer's CliRunner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from svmine.cli.main import app

SAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "sample"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["extract", *args])


@pytest.fixture(scope="module")
def whole_sample(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "pages.jsonl"
    result = run(str(SAMPLE), "--out", str(out), "--summary")
    return result, out


def test_batch_goes_on_past_bad_files_and_exits_1(whole_sample):
    result, out = whole_sample
    assert result.exit_code == 1, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    documents = {Path(r["document"]).name for r in records}
    assert documents == {
        "board_minutes.txt", "news_page.html", "plan_one_column.pdf", "plan_scanned_appendix.pdf",
        "plan_two_column.pdf", "plan_with_table.pdf", "policy_procurement.docx",
    }  # fmt: skip
    assert len(records) == 12
    for record in records:
        assert {"document", "sha256", "page", "method", "flags", "text"} <= set(record)
    scanned = [r for r in records if r["document"].endswith("plan_scanned_appendix.pdf")]
    ocr = "ocr" if shutil.which("tesseract") else "none"  # without Tesseract: flagged needs_ocr
    assert [(r["page"], r["method"]) for r in scanned] == [(1, "text_layer"), (2, ocr)]


def test_summary_lists_documents_failures_and_totals(whole_sample):
    result, _ = whole_sample
    out = result.stdout
    assert "Extracted 7 of 12 files (12 pages)" in out
    assert "plan_two_column.pdf" in out and "multi_column 2" in out
    assert "Failed (5)" in out
    for code in ("empty_file", "encrypted", "corrupt_file", "unsupported_format", "format_mismatch"):
        assert f"[{code}]" in out
    assert "Totals: 7 documents (docx 1, html 1, pdf 4, text 1), 12 pages, 5 failed files" in out


def test_jsonl_to_stdout_and_exit_0_when_all_files_are_good():
    result = run(str(SAMPLE / "plan_two_column.pdf"), str(SAMPLE / "news_page.html"), "--timeout", "0")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(Path(r["document"]).name, r["page"]) for r in lines] == [
        ("plan_two_column.pdf", 1), ("plan_two_column.pdf", 2), ("news_page.html", 1),
    ]  # fmt: skip
    assert "social value" in lines[0]["text"]


def test_failures_are_summarised_without_summary_flag():
    result = run(str(SAMPLE / "broken" / "empty.pdf"), str(SAMPLE / "board_minutes.txt"))
    assert result.exit_code == 1
    assert "1 of 2 files failed" in result.stderr
    assert "empty_file" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["method"] == "structured"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--engine", "pdfplumber"], "pdfplumber"),
        (["--engine", "pdfium"], "pdfium"),
        (["--engine", "auto"], "pdfium"),
    ],
)
def test_engine_option(args, expected):
    result = run(str(SAMPLE / "plan_one_column.pdf"), "--timeout", "0", *args)
    assert result.exit_code == 0, result.output
    assert {json.loads(line)["engine"] for line in result.stdout.splitlines()} == {expected}


def test_include_exclude_and_no_ocr():
    result = run(str(SAMPLE), "--include", "*.pdf", "--exclude", "broken/*", "--no-ocr", "--timeout", "0")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert {Path(r["document"]).suffix for r in records} == {".pdf"}
    scanned = [r for r in records if r["document"].endswith("plan_scanned_appendix.pdf")][1]
    assert "needs_ocr" in scanned["flags"]


def test_max_pages_fails_the_long_file_only():
    result = run(str(SAMPLE / "plan_one_column.pdf"), str(SAMPLE / "plan_with_table.pdf"), "--max-pages", "2")
    assert result.exit_code == 1
    assert "too_many_pages" in result.stderr
    assert len(result.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        [str(SAMPLE / "no-such-file.pdf")],  # typer's exists=True
        [str(SAMPLE), "--engine", "magic"],
        [str(SAMPLE), "--include", "*.nothing"],
    ],
)
def test_usage_errors_exit_2(args):
    result = run(*args)
    assert result.exit_code == 2, result.output


def test_unwritable_out_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run(str(SAMPLE / "board_minutes.txt"), "--out", str(blocker / "sub" / "pages.jsonl"))
    assert result.exit_code == 2
    assert "cannot write" in result.stderr
