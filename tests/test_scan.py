"""``svmine.scan.scan`` end to end on small generated documents, with the real pipeline.

Extraction, detection and attribution all run for real; the corpus is a handful of small
PDFs (reportlab) and text files written into tmp_path, plus one damaged PDF.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from svmine.errors import SvmineError
from svmine.scan import process_document, scan
from svmine.scan.process import fingerprint, quick_fingerprint
from svmine.scan.synthetic import make_corpus
from svmine.scan.walk import plan_scan
from svmine.store import Store, queries

FAST = {"workers": 2, "use_classifier": False}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    make_corpus(folder, pdfs=3, texts=3, pdf_pages=2, broken=1)
    (folder / "notes.md").write_text("Not a plan: excluded by the glob in one test.\n")
    return folder


def _documents(db: Path) -> dict[str, dict]:
    with Store.open(db) as store:
        return {Path(d["path"]).name: d for d in queries.list_documents(store)}


def _snapshot(db: Path) -> dict:
    with Store.open(db) as store:
        return queries.snapshot(store)


def test_process_document_returns_the_contract_dict(corpus: Path) -> None:
    result = process_document(corpus / "plan-0000.pdf", {"use_classifier": False})
    assert result["status"] == "ok" and result["format"] == "pdf" and len(result["pages"]) == 2
    assert result["size"] == (corpus / "plan-0000.pdf").stat().st_size and len(result["sha256"]) == 64
    assert result["pattern_hash"] and result["model_hash"] and result["seconds"] >= 0
    assert all(m["sha256"] == result["sha256"] for m in result["mentions"])


@pytest.mark.parametrize(
    ("name", "code"),
    [("broken-00.pdf", "corrupt_file"), ("empty.txt", "empty_file"), ("missing.pdf", "unreadable")],
)
def test_process_document_turns_errors_into_failed_results(corpus: Path, name: str, code: str) -> None:
    (corpus / "empty.txt").write_bytes(b"")
    result = process_document(corpus / name, {"use_classifier": False})
    assert (result["status"], result["error_code"]) == ("failed", code), result["error_message"]
    assert name in result["error_message"] and result["mentions"] == []


def test_process_document_records_unexpected_exceptions_as_internal_error(corpus: Path, monkeypatch) -> None:
    def explode(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr("svmine.extract.extract_document", explode)
    result = process_document(corpus / "paper-0000.txt", {"use_classifier": False})
    assert (result["status"], result["error_code"]) == ("failed", "internal_error"), result["error_message"]
    assert "KeyError" in result["error_message"] and result["sha256"]


def test_first_scan_processes_everything_and_records_the_broken_file(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    summary = scan([corpus], db, exclude=["*.md"], **FAST)
    assert (summary.files, summary.processed, summary.skipped) == (7, 7, 0)
    assert [(Path(p).name, code) for p, code, _ in summary.failed] == [("broken-00.pdf", "corrupt_file")]
    docs = _documents(db)
    assert docs["broken-00.pdf"]["status"] == "failed" and "broken-00.pdf" in docs["broken-00.pdf"]["error_message"]
    assert all(d["status"] == "ok" for n, d in docs.items() if n != "broken-00.pdf")
    assert summary.mentions == sum(d["social_value_mentions"] + d["vcse_mentions"] for d in docs.values()) > 0
    with Store.open(db) as store:
        run = queries.list_runs(store)[0]
    assert (run["status"], run["processed"], run["failed"], run["mentions"]) == ("finished", 7, 1, summary.mentions)


def test_rescan_skips_unchanged_and_reprocesses_changed(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    scan([corpus], db, exclude=["*.md"], **FAST)
    before = _documents(db)
    again = scan([corpus], db, exclude=["*.md"], **FAST)
    assert (again.skipped, again.processed, len(again.failed_before)) == (6, 0, 1)  # the failed file is known
    (corpus / "paper-0001.txt").write_text("The voluntary sector will lead the new prevention work.\n")
    third = scan([corpus], db, exclude=["*.md"], **FAST)
    assert (third.skipped, third.processed) == (5, 1)
    after = _documents(db)
    assert after["paper-0001.txt"]["sha256"] != before["paper-0001.txt"]["sha256"]
    assert after["paper-0001.txt"]["vcse_mentions"] == 1
    assert len(after) == 7  # the old version of the edited file is gone, not counted twice
    assert after["plan-0000.pdf"]["run_id"] == before["plan-0000.pdf"]["run_id"]


def test_renamed_and_copied_files_are_recognised_by_content(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    scan([corpus], db, exclude=["*.md", "broken*"], **FAST)
    (corpus / "plan-0001.pdf").rename(corpus / "renamed plan.pdf")
    shutil.copy(corpus / "plan-0002.pdf", corpus / "copy-of-plan.pdf")
    summary = scan([corpus], db, exclude=["*.md", "broken*"], **FAST)
    assert (summary.processed, summary.skipped + summary.duplicates, summary.failed) == (0, 7, [])
    with Store.open(db) as store:
        paths = {Path(p).name for p in queries.known_paths(store)}
        assert {"renamed plan.pdf", "copy-of-plan.pdf", "plan-0002.pdf"} <= paths
        assert len(queries.list_documents(store)) == 6


def test_duplicate_content_in_one_run_is_processed_once(corpus: Path, tmp_path: Path) -> None:
    shutil.copy(corpus / "paper-0000.txt", corpus / "paper-copy.txt")
    summary = scan([corpus], tmp_path / "s.db", include=["paper-*"], **FAST)
    assert (summary.files, summary.processed, summary.duplicates) == (4, 3, 1)


def test_changed_pattern_file_makes_results_stale(corpus: Path, tmp_path: Path) -> None:
    patterns = tmp_path / "patterns"
    patterns.mkdir()
    for entry in resources.files("svmine.detect").joinpath("data").iterdir():
        if entry.name.endswith(".jsonl"):
            (patterns / entry.name).write_text(entry.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "s.db"
    options = dict(FAST, patterns_dir=patterns, exclude=["*.md", "broken*"])
    scan([corpus], db, **options)
    assert scan([corpus], db, **options).processed == 0
    vcse = patterns / "vcse.jsonl"
    vcse.write_text(vcse.read_text() + '{"id": "test_extra_charities", "category": "vcse", "pattern": [{"LOWER": "charities"}]}\n')
    stale = scan([corpus], db, **options)
    assert (stale.processed, stale.skipped) == (6, 0)
    with Store.open(db) as store:
        runs = queries.list_runs(store)
        hashes = {d["sha256"]: d for d in queries.list_documents(store)}
    assert runs[0]["pattern_hash"] != runs[-1]["pattern_hash"]
    assert {d["run_id"] for d in hashes.values()} == {runs[0]["id"]}


def test_force_reprocesses_current_documents(corpus: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    scan([corpus], db, include=["paper-*"], **FAST)
    assert scan([corpus], db, include=["paper-*"], force=True, **FAST).processed == 3


def test_results_do_not_depend_on_worker_count(corpus: Path, tmp_path: Path) -> None:
    scan([corpus], tmp_path / "one.db", workers=1, use_classifier=False)
    scan([corpus], tmp_path / "two.db", workers=2, use_classifier=False)
    assert _snapshot(tmp_path / "one.db") == _snapshot(tmp_path / "two.db")


def test_file_that_vanishes_after_listing_is_reported_and_the_rest_go_on(corpus: Path) -> None:
    files = sorted(corpus.glob("paper-*")) + [corpus / "vanished.txt"]
    plan = plan_scan(files, {}, {}, {"pattern_hash": "p", "model_hash": "m"}, "0")
    assert [Path(t.path).name for t in plan.tasks] == ["paper-0000.txt", "paper-0001.txt", "paper-0002.txt"]
    assert [Path(p).name for p, _ in plan.unreadable] == ["vanished.txt"]
    assert "cannot read" in plan.unreadable[0][1]


@pytest.mark.parametrize("options", [{"use_classifier": False}, {}])
def test_quick_fingerprint_matches_the_detector(tmp_path: Path, options: dict) -> None:
    assert quick_fingerprint(options) == fingerprint(options)


def test_footprints_come_from_the_text_or_the_manifest(corpus: Path, tmp_path: Path) -> None:
    (corpus / "wy.txt").write_text("West Yorkshire Sustainability and Transformation Plan\n\n"
                                   "The VCSE sector in West Yorkshire will help design services.\n")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,footprint_code\nplan-0000.pdf,E54000007\nbroken-00.pdf,E54000006\n")
    db = tmp_path / "s.db"
    scan([corpus], db, include=["wy.txt", "plan-0000.pdf", "broken-00.pdf"], manifest=manifest, **FAST)
    docs = _documents(db)
    assert (docs["broken-00.pdf"]["status"], docs["broken-00.pdf"]["footprint_code"]) == ("failed", "E54000006")
    assert (docs["wy.txt"]["footprint_code"], docs["wy.txt"]["footprint_source"]) == ("E54000005", "text")
    with Store.open(db) as store:
        rows = [dict(row) for row in queries.snapshot(store)["name_matches"]]
    names = [(row["candidate_code"], row["query"]) for row in rows]
    assert ("E54000005", "West Yorkshire") in names  # the names attribution found, kept for auditors
    assert (docs["plan-0000.pdf"]["footprint_code"], docs["plan-0000.pdf"]["footprint_name"],
            docs["plan-0000.pdf"]["footprint_status"]) == ("E54000007", "Greater Manchester", "exact")


def test_ccg_codes_reach_the_store_from_the_text_and_the_manifest(corpus: Path, tmp_path: Path) -> None:
    (corpus / "camden.txt").write_text("NHS Camden CCG\nProcurement policy\n\nWe buy for social value.\n")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,footprint_code,ccg_code\nbroken-00.pdf,,E38000088\n")
    db = tmp_path / "s.db"
    scan([corpus], db, include=["camden.txt", "broken-00.pdf", "plan-0000.pdf"], manifest=manifest, **FAST)
    docs = _documents(db)
    from svmine.store import reporting

    with Store.open(db) as store:
        ccg = {Path(d["path"]).name: d["ccg_code"] for d in reporting.documents(store)}
    assert (ccg["camden.txt"], docs["camden.txt"]["footprint_code"]) == ("E38000027", "E54000028")  # from the title
    assert (ccg["broken-00.pdf"], docs["broken-00.pdf"]["footprint_code"]) == ("E38000088", "E54000028")  # manifest
    assert ccg["plan-0000.pdf"] is None


def test_a_bad_manifest_stops_the_scan_before_any_work(corpus: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("file,footprint_code\nplan-0000.pdf,E99\n")
    with pytest.raises(SvmineError, match="unknown footprint code"):
        scan([corpus], tmp_path / "s.db", manifest=manifest, **FAST)


def test_default_scan_runs_the_classifier_and_records_its_hash(corpus: Path, tmp_path: Path) -> None:
    from svmine.detect.classifier import default_model_path

    if not default_model_path().is_file():
        pytest.skip("no trained classifier in models/: patterns-only scans are tested above")
    db = tmp_path / "s.db"
    scan([corpus], db, include=["plan-*"], workers=2)
    with Store.open(db) as store:
        run = queries.list_runs(store)[0]
        scored = [m for m in queries.list_mentions(store) if m["probability"] is not None]
    assert run["model_hash"] == quick_fingerprint({})["model_hash"] != "none"
    assert scored and all(0.0 <= m["probability"] <= 1.0 for m in scored)


def test_a_store_inside_the_scanned_folder_is_not_scanned(corpus: Path) -> None:
    db = corpus / "results.db"
    first = scan([corpus], db, include=["paper-*", "results.db*"], **FAST)
    again = scan([corpus], db, include=["paper-*", "results.db*"], **FAST)
    assert (first.files, first.failed, again.files, again.skipped) == (3, [], 3, 3)


SAMPLE_GOLDEN = {  # file -> (status, error_code, footprint_code from corpora/sample/manifest.csv)
    "board_minutes.txt": ("ok", None, "E54000028"),
    "news_page.html": ("ok", None, "E54000007"),
    "plan_one_column.pdf": ("ok", None, "E54000007"),
    "plan_scanned_appendix.pdf": ("ok", None, "E54000037"),
    "plan_two_column.pdf": ("ok", None, "E54000014"),
    "plan_with_table.pdf": ("ok", None, "E54000027"),
    "policy_procurement.docx": ("ok", None, "E54000028"),
    "empty.pdf": ("failed", "empty_file", None),
    "encrypted.pdf": ("failed", "encrypted", "E54000036"),
    "truncated.pdf": ("failed", "corrupt_file", None),
    "unsupported.png": ("failed", "unsupported_format", None),
    "webpage_saved.pdf": ("failed", "format_mismatch", None),
}


def test_sample_corpus_every_format_and_every_kind_of_broken_file(sample_dir: Path, tmp_path: Path) -> None:
    if not (sample_dir / "manifest.csv").is_file():
        pytest.skip("corpora/sample not generated (make sample-corpus)")
    db = tmp_path / "s.db"
    summary = scan([sample_dir], db, manifest=sample_dir / "manifest.csv", **FAST)
    docs = _documents(db)
    got = {name: (d["status"], d["error_code"], d["footprint_code"]) for name, d in docs.items()}
    assert got == SAMPLE_GOLDEN
    assert {d["format"] for d in docs.values() if d["status"] == "ok"} == {"pdf", "docx", "html", "text"}
    assert all(d["social_value_mentions"] + d["vcse_mentions"] > 0 for d in docs.values() if d["status"] == "ok")
    assert summary.failed_count == 5 and scan([sample_dir], db, **FAST).skipped == 7
