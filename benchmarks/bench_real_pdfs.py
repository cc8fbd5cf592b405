#!/usr/bin/env python3
"""Speed on real designed PDFs: raw PDFium, plain pdfplumber, svmine's engines, ``svmine scan``.

    .venv/bin/python benchmarks/bench_real_pdfs.py                    # ~1,000 real + 1,000 generated pages
    .venv/bin/python benchmarks/bench_real_pdfs.py --pages 300 --skip-generated   # quicker

Two page sets, each measured the same way in one run:
- real: the PDFs under ../shared/data/uk_public_pdfs (designed NHS and government documents:
  panels, boxes, rules, tables), copied into a temporary folder until about ``--pages`` pages,
  each copy with a comment appended after %%EOF so every copy is a new document (new hash,
  nothing cached, nothing skipped by the scan);
- generated: ``svmine.scan.synthetic`` plan-like PDFs of the same page count.

For each set it prints pages/s of: raw pypdfium2 ``get_text_range()``, plain pdfplumber
``extract_text()``, svmine ``engine=pdfplumber`` and ``engine=auto`` (each reader in a fresh
child process, one core, pages per CPU-second and wall pages/s), and ``svmine scan --workers 2``
end to end (wall clock, extraction + detection + store, peak PSS summed over the scan and its
workers; and its CPU time, which a shared machine does not distort as much); then the ratios the targets are stated in, how many pages ``auto`` sent to pdfplumber
(``engine_fallback``) and on how many pages ``auto`` and ``pdfplumber`` give the same text.

Targets (issue 12): scan >= 8x plain pdfplumber end to end; auto >= 10x the pdfplumber
engine; auto = pdfplumber on >= 95 % of pages; peak PSS < 400 MB for the 2-worker scan. The
machine load is printed at the start and the end: figures from a busy machine are low.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import bench_extract  # beside this script: the shared baseline reader and the peak-memory reading

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SVMINE_SHARED", ROOT.parent / "shared"))
SVMINE = str(Path(sys.executable).with_name("svmine"))


# ---------------------------------------------------------------- page sets


def pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def real_set(source: Path, folder: Path, pages: int) -> tuple[list[Path], int, int]:
    """Copies of the real PDFs until ``pages``; returns (files, pages, distinct documents)."""
    originals = sorted(p for p in source.rglob("*.pdf") if p.is_file())
    if not originals:
        raise SystemExit(f"no PDFs under {source}")
    counts = {p: pdf_pages(p) for p in originals}
    folder.mkdir(parents=True, exist_ok=True)
    files, total, copy = [], 0, 0
    while total < pages:
        for original in originals:
            if total >= pages:
                break
            target = folder / f"copy{copy:03d}-{original.name}"
            shutil.copyfile(original, target)
            with target.open("ab") as out:  # after %%EOF: readers ignore it, the hash changes
                out.write(f"\n% svmine benchmark copy {copy}\n".encode())
            files.append(target)
            total += counts[original]
        copy += 1
    return files, total, len(originals)


def generated_set(folder: Path, pages: int, per_doc: int = 40) -> tuple[list[Path], int]:
    from svmine.scan.synthetic import make_corpus

    docs = max(1, round(pages / per_doc))
    if not folder.exists():
        make_corpus(folder, pdfs=docs, pdf_pages=per_doc)
    files = sorted(folder.glob("*.pdf"))
    return files, docs * per_doc


# ---------------------------------------------------------------- readers (in a child process)


def read_raw_pdfium(files):
    pages, digests = bench_extract.read_raw_pdfium(files)  # the same baseline as bench_extract.py
    return pages, digests, 0


def read_plain_pdfplumber(files):
    import pdfplumber

    pages = 0
    for f in files:
        with pdfplumber.open(f) as pdf:
            for page in pdf.pages:
                page.extract_text()
                page.close()
                pages += 1
    return pages, [], 0


def read_svmine(engine: str):
    def read(files):
        from svmine.extract import extract_document

        pages, digests, fallback = 0, [], 0
        for f in files:
            doc = extract_document(f, engine=engine, ocr=False)
            pages += len(doc.pages)
            digests += [hashlib.sha1(p.text.encode()).hexdigest() for p in doc.pages]
            fallback += sum("engine_fallback" in p.flags for p in doc.pages)
        return pages, digests, fallback

    return read


READERS = {
    "raw pypdfium2 get_text_range()": read_raw_pdfium,
    "plain pdfplumber extract_text()": read_plain_pdfplumber,
    "svmine engine=pdfplumber": read_svmine("pdfplumber"),
    "svmine engine=auto": read_svmine("auto"),
}


def child(reader: str, list_file: str) -> None:
    # library start-up is paid before the clock starts, for every reader alike
    import logging

    import pdfplumber  # noqa: F401
    import pypdfium2  # noqa: F401

    import svmine.extract.pdf  # noqa: F401

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    files = Path(list_file).read_text(encoding="utf-8").splitlines()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    started, cpu0 = time.perf_counter(), usage.ru_utime + usage.ru_stime
    pages, digests, fallback = READERS[reader](files)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"pages": pages, "seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime - cpu0,
                      "peak_mb": bench_extract.peak_mb(), "digests": digests, "fallback": fallback}))


def measure(reader: str, files: list[Path], work: Path) -> dict:
    listing = work / "files.txt"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    out = subprocess.run([sys.executable, __file__, "--child", reader, str(listing)],
                         capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["pages_per_s"] = result["pages"] / max(result["cpu"], 1e-9)
    result["wall_pages_per_s"] = result["pages"] / max(result["seconds"], 1e-9)
    return result


# ---------------------------------------------------------------- the scan


def scan(folder: Path, db: Path, workers: int) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scan import _remove_db, run_scan

    _remove_db(db)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_scan(folder, db, "--workers", str(workers), "--engine", "auto")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # the scan waits for its workers, so their CPU time is in the scan's, and so in ours
    result["cpu"] = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    _remove_db(db)
    return result


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def run_set(name: str, files: list[Path], pages: int, work: Path, skip_scan: bool) -> dict:
    print(f"\n== {name}: {len(files)} documents, {pages} pages ({load()})")
    print(f"{'reader (one process)':<34} {'pages/s':>9} {'wall p/s':>9} {'peak MB':>8}")
    results = {}
    for reader in READERS:
        results[reader] = r = measure(reader, files, work)
        print(f"{reader:<34} {r['pages_per_s']:>9.1f} {r['wall_pages_per_s']:>9.1f} {r['peak_mb']:>8.0f}")
    raw = results["raw pypdfium2 get_text_range()"]
    plain = results["plain pdfplumber extract_text()"]
    engine = results["svmine engine=pdfplumber"]
    auto = results["svmine engine=auto"]
    same = sum(a == b for a, b in zip(auto["digests"], engine["digests"]))
    total = len(auto["digests"])
    print(f"auto vs svmine pdfplumber engine: {auto['pages_per_s'] / engine['pages_per_s']:.1f}x pages/s   (target >= 10x)")
    print(f"auto vs plain pdfplumber:         {auto['pages_per_s'] / plain['pages_per_s']:.1f}x;  "
          f"raw pypdfium2 vs plain pdfplumber: {raw['pages_per_s'] / plain['pages_per_s']:.1f}x")
    print(f"auto sent {auto['fallback']} of {total} pages to pdfplumber (engine_fallback)")
    print(f"auto = pdfplumber engine on {same} of {total} pages ({100 * same / max(total, 1):.1f}%)   (target >= 95%)")
    out = {"same": same, "total": total, "fallback": auto["fallback"], "readers": results}
    if not skip_scan:
        r = scan(files[0].parent, work / f"{name}.db", 2)
        rate = r["pages"] / r["seconds"]
        print(f"svmine scan --workers 2 end to end: {rate:.1f} pages/s ({r['pages']} pages in {r['seconds']:.1f} s); "
              f"peak PSS {r['pss_mb']:.0f} MB (target < 400), RSS sum {r['rss_mb']:.0f} MB")
        print(f"scan vs plain pdfplumber (one process, wall): {rate / plain['wall_pages_per_s']:.1f}x   (target >= 8x); "
              f"vs raw pypdfium2: {rate / raw['wall_pages_per_s']:.2f}x")
        per_cpu = r["pages"] / max(r["cpu"], 1e-9)
        print(f"scan CPU: {r['cpu']:.1f} CPU-s over the scan and its workers = {per_cpu:.1f} pages per CPU-second, "
              f"{per_cpu / plain['pages_per_s']:.1f}x plain pdfplumber's pages per CPU-second "
              f"(on two free cores the 2-worker wall figure is up to twice this)")
        out["scan"] = r
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="pages per set (default about 1,000)")
    parser.add_argument("--source", type=Path, default=SHARED / "data" / "uk_public_pdfs")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the copies and databases here")
    parser.add_argument("--skip-generated", action="store_true")
    parser.add_argument("--skip-scan", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    if not args.source.is_dir():
        print(f"real PDFs not found at {args.source} (set SVMINE_SHARED)", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="svmine-real-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_scan import available_cores

    print(f"work folder {work}; {load()}")
    print(f"CPU control: two busy processes ran {available_cores():.2f}x as fast as one (2.0 = two free cores)")
    files, pages, distinct = real_set(args.source, work / "real", args.pages)
    print(f"real set: {distinct} distinct PDFs from {args.source}, copied to {len(files)} documents")
    run_set("real", files, pages, work, args.skip_scan)
    if not args.skip_generated:
        files, pages = generated_set(work / "generated", args.pages)
        run_set("generated", files, pages, work, args.skip_scan)
    print(f"\nend: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
