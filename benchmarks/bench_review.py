"""How fast the review queue answers on a large store (prints figures; not a test).

Builds a store of DOCS documents x MENTIONS mentions with DECIDED decisions already made, then
times the queries one queue page runs: next item, items left, one decision, one undo.

    .venv/bin/python benchmarks/bench_review.py [DOCS] [MENTIONS] [DECIDED]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path


def build(db: Path, docs: int, per_doc: int) -> None:
    from svmine.store import Store

    sentence = "The trust will consider social value and work with voluntary sector partners in this place."
    with Store.open(db) as st:
        for d in range(docs):
            text = "\n".join(f"{i}. {sentence}" for i in range(per_doc))
            mentions, offset = [], 0
            for i, line in enumerate(text.split("\n")):
                start = offset + line.index("social value")
                mentions.append({"page": 1, "category": "social_value", "kind": "explicit", "source": "pattern",
                                 "text": "social value", "start": start, "end": start + 12, "sentence": line,
                                 "sentence_start": offset, "sentence_end": offset + len(line),
                                 "probability": (i % 100) / 100})
                offset += len(line) + 1
            st.save_result({"path": f"/corpus/doc-{d:05d}.pdf", "sha256": f"{d:064x}", "status": "ok",
                            "format": "pdf", "pages": [{"number": 1, "text": text}], "mentions": mentions})


def timed(label: str, fn, repeat: int = 5) -> None:
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    print(f"{label:<34}{(time.perf_counter() - start) / repeat * 1000:8.1f} ms")


def main(docs: int = 300, per_doc: int = 60, decided: int = 5000) -> None:
    from svmine.store import Store, review

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        t0 = time.perf_counter()
        build(db, docs, per_doc)
        conn = Store.connect(db)
        items = review.queue(conn, "x", status="all", limit=decided)
        for n, item in enumerate(items):
            review.record_decision(conn, item, f"auditor{n % 3}", "accept")
        print(f"store: {docs * per_doc} mentions, {len(items)} decisions, built in {time.perf_counter() - t0:.1f} s")
        timed("next item (document order)", lambda: review.queue(conn, "auditor0"))
        timed("next item (most uncertain)", lambda: review.queue(conn, "auditor0", order="uncertain"))
        timed("items left", lambda: review.queue_count(conn, "auditor0"))
        key = items[-1]["item_key"]
        timed("item lookup by key", lambda: review.get_item(conn, key))
        timed("record one decision", lambda: review.record_decision(conn, items[0], "bench", "reject"))
        timed("undo", lambda: review.undo_last(conn, "bench"))
        conn.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:4]))
