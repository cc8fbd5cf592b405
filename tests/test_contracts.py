"""The records between stages and the one way into the store (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from svmine.model import Attribution, DocumentResult, NameMatch
from svmine.scan.options import ScanOptions

PACKAGE = Path(__file__).resolve().parent.parent / "svmine"
MATCH = NameMatch("stp", "W Yorks", "E54000005", "West Yorkshire", 80.0, None, None, 20.0, "review")


def _result() -> DocumentResult:
    result = DocumentResult("/plans/a.pdf", sha256="a" * 64, size=10, mtime_ns=5, format="pdf",
                            pages=[{"number": 1, "text": "Our plan."}], mentions=[{"page": 1}])
    result.attribute(Attribution("E54000005", "West Yorkshire", 90.0, "accepted", [], name_matches=[MATCH]))
    return result


def test_a_result_crosses_the_process_boundary_unchanged() -> None:
    result = _result()
    sent = result.to_dict()
    assert sent["name_matches"][0]["query"] == "W Yorks" and sent["attribution"]["name_matches"] == []
    assert DocumentResult.from_dict(sent) == result


def test_attribute_moves_the_names_to_the_result() -> None:
    result = _result()
    assert result.name_matches == [MATCH] and result.attribution.name_matches == []


def test_fail_drops_what_the_stages_found_and_keeps_the_file() -> None:
    result = _result()
    result.fail("corrupt_file", "/plans/a.pdf: damaged\nsecond line")
    assert (result.status, result.error_code, result.error_message) == ("failed", "corrupt_file", "/plans/a.pdf: damaged")
    assert (result.pages, result.mentions, result.attribution, result.name_matches) == ([], [], None, [])
    assert (result.sha256, result.size) == ("a" * 64, 10)


@pytest.mark.parametrize(
    ("known", "fingerprint", "expected"),
    [
        ({}, {"pattern_hash": "p", "model_hash": "m"}, ("b" * 64, 7, "p", "m")),
        ({"sha256": "c" * 64, "size": 3, "pattern_hash": "q", "model_hash": "n"},
         {"pattern_hash": "p", "model_hash": "m"}, ("c" * 64, 3, "q", "n")),
    ],
)
def test_fill_missing_keeps_what_the_worker_knew(known, fingerprint, expected) -> None:
    result = DocumentResult("/x.pdf", **known)
    result.fill_missing("b" * 64, 7, 1, fingerprint)
    assert (result.sha256, result.size, result.pattern_hash, result.model_hash) == expected


@pytest.mark.parametrize(("executor", "worker_timeout"), [("local", None), ("dask", 30.0)])
def test_scan_options_give_extraction_a_time_limit_only_on_dask(executor, worker_timeout) -> None:
    options = ScanOptions.build({"engine": "pdfium"}, executor=executor, timeout=30.0, include=["*.pdf"])
    assert options.worker["timeout"] == worker_timeout and options.worker["engine"] == "pdfium"
    assert options.include == ("*.pdf",) and options.run_record()["timeout"] == 30.0


def test_scan_options_refuse_an_unknown_executor() -> None:
    with pytest.raises(ValueError, match="unknown executor"):
        ScanOptions.build({}, executor="ray")


def test_no_module_outside_the_store_touches_a_sqlite_connection() -> None:
    raw = re.compile(r"\bsqlite3\b|\.conn\.(execute|executemany|cursor|row_factory|commit)\b|\bstore\.conn\b")
    offenders = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                 if "store" not in path.relative_to(PACKAGE).parts[:1] and raw.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
