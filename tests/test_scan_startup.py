"""Start-up (issue 12, item 2): the detector is built once per scan, before workers fork; a
command loads only what it needs. Figures are in benchmarks/bench_startup.py, not here."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from svmine.scan import scan
from svmine.scan import process
from svmine.scan.synthetic import make_corpus


@pytest.mark.parametrize(("workers", "use_classifier"), [(1, False), (2, False), (2, True)])
def test_the_detector_is_built_once_per_scan_not_per_worker_or_document(tmp_path: Path, monkeypatch,
                                                                        workers: int, use_classifier: bool) -> None:
    from svmine.detect import detector

    log = tmp_path / "built.log"
    original = detector.Detector.__init__

    def counting(self, *args, **kwargs):
        with open(log, "a") as fh:  # forked workers append here too
            fh.write("built\n")
        original(self, *args, **kwargs)

    monkeypatch.setattr(detector.Detector, "__init__", counting)
    monkeypatch.setattr(process, "_DETECTORS", {})
    make_corpus(tmp_path / "in", pdfs=2, texts=4)
    summary = scan([tmp_path / "in"], tmp_path / "s.db", workers=workers, use_classifier=use_classifier)
    assert summary.processed == 6 and summary.failed == []
    assert log.read_text().count("built") == 1


SCAN_ONE = """
import sys
from svmine.scan import scan
summary = scan([sys.argv[1]], sys.argv[2], workers=2)
assert summary.processed == 1, summary
print(" ".join(name for name in ("sklearn", "skops", "scipy.stats", "dask", "distributed", "pdfplumber",
                                 "pypdfium2") if name in sys.modules) or "-")
"""


def test_scanning_one_text_file_loads_no_pdf_engine_no_dask_and_no_scikit_learn(tmp_path: Path) -> None:
    doc = tmp_path / "one.txt"
    doc.write_text("The voluntary sector adds social value to local services.\n")
    warm = subprocess.run([sys.executable, "-c", SCAN_ONE, str(doc), str(tmp_path / "a.db")],
                          capture_output=True, text=True)  # the first start compiles the model
    assert warm.returncode == 0, warm.stderr
    done = subprocess.run([sys.executable, "-c", SCAN_ONE, str(doc), str(tmp_path / "b.db")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["-"]


def test_a_scan_with_nothing_to_do_builds_no_detector(tmp_path: Path, monkeypatch) -> None:
    make_corpus(tmp_path / "in", texts=2)
    scan([tmp_path / "in"], tmp_path / "s.db", workers=1, use_classifier=False)
    monkeypatch.setattr(process, "_DETECTORS", {})
    again = scan([tmp_path / "in"], tmp_path / "s.db", workers=1, use_classifier=False)
    assert (again.processed, again.skipped, process._DETECTORS) == (0, 2, {})
