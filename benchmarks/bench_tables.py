"""How long `svmine table` and `svmine report` take on a large synthetic store.

    python benchmarks/bench_tables.py [--docs 1000] [--mentions 20]

Builds a store of DOCS documents spread over the 44 footprints, each with MENTIONS mentions on
short pages, then times building the footprint table, each renderer and the HTML report.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from svmine.store import Store
from svmine.tables.build import build_table
from svmine.tables.footprints import load_footprints
from svmine.tables.render import TEXT_RENDERERS


def synthetic_result(i: int, code: str, mentions: int, rng: random.Random) -> dict:
    text = "Our plan will deliver social value through local jobs and the voluntary sector. " * 8
    sha = f"{i:064x}"
    ms = []
    for j in range(mentions):
        category = "vcse" if j % 3 == 0 else "social_value"
        kind = "implicit" if j % 4 == 1 else "explicit"
        start = text.index("voluntary sector") if category == "vcse" else text.index("social value")
        ms.append({
            "page": 1 + j % 5, "category": category, "kind": kind,
            "source": "classifier" if kind == "implicit" else "pattern", "text": "x", "start": start,
            "end": start + 12, "sentence": text[:80], "sentence_start": 0, "sentence_end": 80,
            "probability": round(rng.random(), 2), "context": {"hypothetical": "may"} if j % 7 == 0 else {},
        })
    return {
        "path": f"corpus/doc_{i:05d}.pdf", "sha256": sha, "size": 1, "mtime_ns": 1, "status": "ok",
        "format": "pdf", "page_unit": "pdf_page", "metadata": {}, "warnings": [],
        "pages": [{"number": p, "text": text, "method": "text_layer"} for p in range(1, 6)],
        "mentions": ms, "facts": [],
        "attribution": {"code": code, "name": None, "score": 90.0, "status": "accepted", "evidence": "", "source": "attribution"},
        "name_matches": [], "pattern_hash": "p", "model_hash": "m", "seconds": 0.0,
    }


def timed(label: str, fn):
    t0 = time.perf_counter()
    value = fn()
    print(f"{label:<28} {time.perf_counter() - t0:8.3f} s")
    return value


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--mentions", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)
    codes = [f.code for f in load_footprints()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        with Store.open(db) as store:
            def fill():
                for i in range(args.docs):
                    store.save_result(synthetic_result(i, codes[i % len(codes)], args.mentions, rng))
            timed(f"store {args.docs} docs", fill)
            table = timed("build footprint table", lambda: build_table(store))
            for fmt, render in TEXT_RENDERERS.items():
                timed(f"render {fmt}", lambda: render(table))
            from svmine.tables.xlsx import write_xlsx

            timed("write xlsx", lambda: write_xlsx(table, Path(tmp) / "t.xlsx"))
            from svmine.report import render_report

            html = timed("render HTML report", lambda: render_report(store))
        print(f"documents {args.docs}, mentions {args.docs * args.mentions}, report {len(html) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
