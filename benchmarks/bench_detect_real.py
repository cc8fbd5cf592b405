"""Detection speed on the real documents of the shared folder, and how many implicit sentences it reports.

Extracts every document under ``../shared/data/uk_public_docs_text`` and ``uk_public_pdfs`` once
(not timed), then times ``Detector.detect`` over all of them (best of ``--repeat`` runs, after a
warm-up) and prints words/s, seconds, the implicit mention count and how many sentences the
classifier scored. Works with any svmine version, so the figure before a change can be taken by
running this file with another checkout on the path:

    .venv/bin/python benchmarks/bench_detect_real.py [--shared ../shared] [--repeat 3]
    cd ../main && .venv/bin/python ../h-accuracy/benchmarks/bench_detect_real.py --shared ../shared
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

FOLDERS = ("data/uk_public_docs_text", "data/uk_public_pdfs")
SUFFIXES = {".md", ".txt", ".pdf", ".docx"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not (args.shared / "data").is_dir():
        raise SystemExit(f"{args.shared}/data is absent: nothing to measure")

    import svmine
    from svmine.detect import Detector
    from svmine.extract import extract_document

    docs = [extract_document(p) for folder in FOLDERS for p in sorted((args.shared / folder).rglob("*"))
            if p.suffix.lower() in SUFFIXES]
    words = sum(len(page.text.split()) for d in docs for page in d.pages)
    detector = Detector()
    classifier = detector.classifier
    scored = [0]
    if classifier is not None:  # count the sentences the classifier sees, without changing results
        original = classifier.predict_proba

        def counting(sentences):
            scored[0] += len(sentences)
            return original(sentences)

        classifier.predict_proba = counting
    detector.detect(docs[0])
    best, results = float("inf"), []
    for _ in range(args.repeat):
        scored[0] = 0
        start = time.perf_counter()
        results = [detector.detect(d) for d in docs]
        best = min(best, time.perf_counter() - start)
    implicit = sum(1 for r in results for m in r.mentions if m.kind == "implicit")
    pages = sum(len(d.pages) for d in docs)
    print(f"svmine at {Path(svmine.__file__).parent.parent}")
    print(f"{len(docs)} real documents, {pages} pages, {words:,} words")
    print(f"detection with classifier: {words / best:,.0f} words/s ({best:.2f} s, best of {args.repeat}); "
          f"{implicit} implicit mentions; {scored[0]:,} sentences scored by the classifier")


if __name__ == "__main__":
    main()
