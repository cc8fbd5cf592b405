"""Benchmark of start-up and of re-scans: the figures of issue 12 (targets in brackets).

Prints, each the median of ``--repeat`` runs of the real command as a subprocess:
- ``svmine scan`` of one small document into a new store, end to end            [< 3 s]
- ``svmine detect`` on one small file                                           [< 2.5 s]
- an unchanged re-scan of a folder of 1,000 documents of which 50 are broken     [< 2 s]
  (and, for comparison, the same re-scan with ``--retry-failed``, which is what every re-scan
  cost before known failures were remembered)
- the first start ever with a model (no compiled classifier cached yet), once.

Wall time depends on what else the machine runs; the CPU time (user + system of the command
and its workers) is printed beside it as the figure to compare across machines. The small
documents are real: the smallest text and PDF under ../shared/data (read in place), or
generated ones when ../shared is absent.

    .venv/bin/python benchmarks/bench_startup.py                # full
    .venv/bin/python benchmarks/bench_startup.py --docs 200 --broken 10 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from svmine.scan.synthetic import make_corpus, write_broken_pdf

SVMINE = str(Path(sys.executable).with_name("svmine"))
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def timed(args: list[str], env: dict | None = None) -> tuple[float, float, int, str]:
    """(wall s, cpu s of the command and its children, exit code, stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stderr


def median_of(repeat: int, make_args, check=(0,), env=None) -> tuple[float, float]:
    walls, cpus = [], []
    for i in range(repeat):
        wall, cpu, code, err = timed(make_args(i), env)
        if code not in check:
            raise SystemExit(f"{' '.join(make_args(i))} exited {code}:\n{err}")
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus)


def small_documents(work: Path) -> dict[str, Path]:
    texts = sorted(SHARED.glob("uk_public_docs_text/*/*.*"), key=lambda p: p.stat().st_size) if SHARED.is_dir() else []
    pdfs = sorted(SHARED.glob("uk_public_pdfs/*/*.pdf"), key=lambda p: p.stat().st_size) if SHARED.is_dir() else []
    if texts and pdfs:
        return {"text": texts[0], "pdf": pdfs[0]}
    made = make_corpus(work / "generated", pdfs=1, texts=1, pdf_pages=4)
    return {"pdf": made[0], "text": made[1]}


def line(label: str, wall: float, cpu: float, target: float | None = None) -> None:
    verdict = "" if target is None else f"   target < {target:g} s: {'met' if wall < target else 'NOT met'} (wall)"
    print(f"  {label:<58} {wall:6.2f} s wall  {cpu:6.2f} s cpu{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents in the re-scanned folder")
    parser.add_argument("--broken", type=int, default=50, help="broken documents among them")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="svmine-bench-startup-") as tmp:
        work = Path(tmp)
        env = dict(os.environ, SVMINE_CACHE=str(work / "cache"))
        docs = small_documents(work)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"small documents: {docs['text'].name} ({docs['text'].stat().st_size / 1024:.0f} KiB), "
              f"{docs['pdf'].name} ({docs['pdf'].stat().st_size / 1024:.0f} KiB)")

        cold = timed([SVMINE, "detect", str(docs["text"])], env)
        print("\nfirst start ever (the model is verified with skops and its compiled copy cached):")
        line("svmine detect, one text file", cold[0], cold[1])

        print(f"\nstart-up (median of {args.repeat}):")
        for kind in ("text", "pdf"):
            w, c = median_of(args.repeat, lambda i, k=kind: [SVMINE, "scan", str(docs[k]), "--db",
                                                               str(work / f"one-{k}-{i}.db")], env=env)
            line(f"svmine scan, one {kind} document, new store", w, c, 3.0)
        for kind in ("text", "pdf"):
            w, c = median_of(args.repeat, lambda i, k=kind: [SVMINE, "detect", str(docs[k])], env=env)
            line(f"svmine detect, one {kind} file", w, c, 2.5)
        w, c = median_of(args.repeat, lambda i: [SVMINE, "--help"], env=env)
        line("svmine --help (Python and the CLI alone)", w, c)

        folder = work / "folder"
        make_corpus(folder, texts=args.docs - args.broken)
        for i in range(args.broken):
            write_broken_pdf(folder / f"broken-{i:03d}.pdf", i)
        db = work / "folder.db"
        first = timed([SVMINE, "scan", str(folder), "--db", str(db), "--no-classifier"], env)
        print(f"\nfolder of {args.docs} documents, {args.broken} broken (patterns only):")
        line("first scan (for scale)", first[0], first[1])
        w, c = median_of(args.repeat, lambda i: [SVMINE, "scan", str(folder), "--db", str(db), "--no-classifier"],
                         check=(1,), env=env)
        line("unchanged re-scan (broken files: failed before)", w, c, 2.0)
        w, c = median_of(args.repeat, lambda i: [SVMINE, "scan", str(folder), "--db", str(db), "--no-classifier",
                                                  "--retry-failed"], check=(1,), env=env)
        line("unchanged re-scan with --retry-failed (the old behaviour)", w, c)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
