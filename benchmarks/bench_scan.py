"""Benchmark of ``svmine scan``: throughput, re-scan time and peak memory.

Prints, for a generated corpus (default 200 PDFs x 40 pages):
- pages/s end to end (extract + detect + attribute + store) with 1 and 2 workers, auto engine;
- two references over the same pages on 2 processes: plain pdfplumber ``extract_text()`` and
  raw pypdfium2 ``get_text_range()`` (the ceiling for any PDF text extraction here);
- the time of an immediate re-scan with nothing changed, for 1,000 small documents
  (the whole ``svmine scan`` command, Python start-up included);
- peak memory of each scan: the sum over the scan process and all its workers, both RSS
  (counts pages shared by forked workers once per process, so it over-states) and PSS
  (shared pages split between the processes that share them: the honest total).

Each scan runs as a ``svmine scan`` subprocess, sampled every 50 ms with psutil.

    .venv/bin/python benchmarks/bench_scan.py                  # full size
    .venv/bin/python benchmarks/bench_scan.py --docs 40 --pages 10 --small-docs 300   # quick
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from svmine.scan.synthetic import make_corpus

SVMINE = str(Path(sys.executable).with_name("svmine"))


class TreeMemory:
    """Samples the summed RSS and PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int, every: float = 0.05):
        self.root, self.every = psutil.Process(pid), every
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    info = proc.memory_full_info()
                    rss, pss = rss + info.rss, pss + getattr(info, "pss", info.rss)
                except psutil.Error:
                    pass
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_scan(corpus: Path, db: Path, *extra: str) -> dict:
    started = time.perf_counter()
    proc = subprocess.Popen([SVMINE, "scan", str(corpus), "--db", str(db), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    _, err = proc.communicate()
    memory.stop()
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"svmine scan failed ({proc.returncode}):\n{err}")
    pages = _summary_number(err, "processed:", "(")
    return {"seconds": seconds, "pages": pages, "rss_mb": memory.peak_rss / 2**20, "pss_mb": memory.peak_pss / 2**20,
            "summary": err.strip().splitlines()[-7:]}


def _summary_number(text: str, line_start: str, after: str) -> int:
    for line in text.splitlines():
        if line.startswith(line_start) and after in line:
            return int(line.split(after, 1)[1].split()[0])
    return 0


def _remove_db(db: Path) -> None:
    for leftover in db.parent.glob(db.name + "*"):  # with its -wal and -shm files
        leftover.unlink()


# -- references -------------------------------------------------------------------------------
def _plumber_pages(path: str) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_text()
            page.close()  # pdfplumber caches layout objects per page; free them as we go
        return len(pdf.pages)


def _pdfium_pages(path: str) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        for page in pdf:
            page.get_textpage().get_text_range()
        return len(pdf)
    finally:
        pdf.close()


def _spin(n: int) -> float:
    started, total = time.perf_counter(), 0
    for i in range(n):
        total += i * i
    return time.perf_counter() - started


def available_cores(n: int = 5_000_000) -> float:
    """How many cores this run really gets: 2 x the time of one busy loop / time of two at once.

    On a machine shared with other jobs two workers may get one core's worth of CPU between
    them; this control tells a slow 2-worker figure from a scaling problem.
    """
    one = _spin(n)
    with mp.get_context("spawn").Pool(2) as pool:
        pool.map(_spin, [10, 10])  # start both processes before the clock runs
        started = time.perf_counter()
        pool.map(_spin, [n, n], chunksize=1)
        both = time.perf_counter() - started
    return 2 * one / max(both, 1e-9)


def reference(func, files: list[str], processes: int) -> tuple[float, int]:
    started = time.perf_counter()
    with mp.get_context("spawn").Pool(processes) as pool:
        pages = sum(pool.imap_unordered(func, files, chunksize=1))
    return time.perf_counter() - started, pages


# -- main -------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200, help="PDFs in the throughput corpus")
    parser.add_argument("--pages", type=int, default=40, help="pages per PDF")
    parser.add_argument("--small-docs", type=int, default=1000, help="documents in the re-scan corpus")
    parser.add_argument("--workdir", type=Path, default=None, help="keep corpora and databases here")
    parser.add_argument("--no-classifier", action="store_true", help="patterns only")
    parser.add_argument("--skip-references", action="store_true")
    parser.add_argument("--skip-rescan", action="store_true")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="svmine-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    extra = ["--engine", "auto"] + (["--no-classifier"] if args.no_classifier else [])
    print(f"machine: {psutil.cpu_count()} CPUs, load average {psutil.getloadavg()[0]:.2f}; work folder {work}")
    print(f"CPU control: two busy processes ran {available_cores():.2f}x as fast as one (2.0 = two free cores)")

    corpus = work / f"pdfs-{args.docs}x{args.pages}"
    if not corpus.exists():
        started = time.perf_counter()
        make_corpus(corpus, pdfs=args.docs, pdf_pages=args.pages)
        print(f"generated {args.docs} PDFs x {args.pages} pages in {time.perf_counter() - started:.1f} s")
    total_pages = args.docs * args.pages

    for workers in (1, 2):
        db = work / f"throughput-{workers}.db"
        _remove_db(db)
        r = run_scan(corpus, db, "--workers", str(workers), *extra)
        print(f"end to end, {workers} worker(s): {r['pages'] / r['seconds']:.1f} pages/s "
              f"({r['pages']} pages in {r['seconds']:.1f} s); peak memory RSS sum {r['rss_mb']:.0f} MB, "
              f"PSS sum {r['pss_mb']:.0f} MB")

    if not args.skip_references:
        files = sorted(str(p) for p in corpus.glob("*.pdf"))
        for name, func in (("pdfplumber extract_text()", _plumber_pages), ("pypdfium2 get_text_range()", _pdfium_pages)):
            seconds, pages = reference(func, files, 2)
            print(f"reference, 2 processes, {name}: {pages / seconds:.1f} pages/s ({pages} pages in {seconds:.1f} s)")

    quarter = work / f"pdfs-{max(1, args.docs // 4)}x{args.pages}"
    if not quarter.exists():
        quarter.mkdir()
        for path in sorted(corpus.glob("*.pdf"))[: max(1, args.docs // 4)]:
            shutil.copy(path, quarter / path.name)
    _remove_db(work / "quarter.db")
    r = run_scan(quarter, work / "quarter.db", "--workers", "2", *extra)
    print(f"memory flatness: 2 workers on a quarter of the corpus ({r['pages']} pages): "
          f"RSS sum {r['rss_mb']:.0f} MB, PSS sum {r['pss_mb']:.0f} MB")
    _remove_db(work / "quarter.db")

    print(f"corpus pages: {total_pages}")
    if args.skip_rescan:
        return
    small = work / f"small-{args.small_docs}"
    if not small.exists():
        make_corpus(small, texts=args.small_docs)
    db = work / "rescan.db"
    _remove_db(db)
    first = run_scan(small, db, "--workers", "2", *extra)
    again = run_scan(small, db, "--workers", "2", *extra)
    skipped = _summary_number("\n".join(again["summary"]), "skipped as current:", ":")
    print(f"first scan of {args.small_docs} small documents: {first['seconds']:.1f} s")
    print(f"immediate re-scan of {args.small_docs} documents (nothing changed, {skipped} skipped): "
          f"{again['seconds']:.2f} s for the whole command; peak PSS {again['pss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
