"""Footprint placements auditors settle: where a document whose attribution is uncertain belongs.

Uncertain placements are settled as ``placement`` rows of ``annotations`` (decision ``place``,
label the footprint code or ``none``), with the review queue's nonce and staleness rules; the latest
not-undone one per document wins (:func:`settled_placements`), and :func:`with_settled_placements`
applies them to document rows for the tables and report.
"""

from __future__ import annotations

import json
import secrets

from svmine.store.db import Store
from svmine.store.review import STAMP, store_row

PLACED_NOWHERE = "none"  # a placement decision saying: this document belongs to no footprint
SETTLED = "settled"  # footprint_status of a document whose placement an auditor settled


def placement_key(sha256: str) -> str:
    return f"placement:{sha256}"


def settled_placements(store: Store) -> dict[str, dict]:
    """sha256 -> the auditors' settled placement of that document: ``code`` (None when placed in
    no footprint), ``auditor``, ``created_at``. The latest not-undone ``place`` row wins."""
    rows = store.conn.execute(
        "SELECT document_sha256, label, auditor, created_at FROM annotations WHERE id IN"
        " (SELECT MAX(id) FROM annotations WHERE item_type = 'placement' AND decision = 'place' AND undone = 0"
        "  GROUP BY item_key)"
    )
    # plain tuples: the tables and report read through connections without sqlite3.Row
    return {sha: {"code": None if label == PLACED_NOWHERE else label, "auditor": auditor, "created_at": created}
            for sha, label, auditor, created in rows}


def with_settled_placements(store: Store, documents: list[dict]) -> list[dict]:
    """Document rows (with ``sha256`` and the ``footprint_*`` columns) with each settled placement
    applied: the auditor's footprint, status ``settled`` (``no_match`` when placed nowhere) and
    source ``review``; a CCG is kept only while the document stays in the footprint it was
    inferred in. Rows without a settled placement are returned unchanged."""
    settled = settled_placements(store)
    if not settled:
        return documents
    out = []
    for doc in documents:
        placed = settled.get(doc.get("sha256"))
        if placed is not None:
            doc = dict(doc)
            if doc.get("ccg_code") and placed["code"] != doc.get("footprint_code"):
                doc["ccg_code"] = None
            doc.update(footprint_code=placed["code"], footprint_status=SETTLED if placed["code"] else "no_match",
                       footprint_source="review")
        out.append(doc)
    return out


def placements(store: Store, *, everything: bool = False) -> list[dict]:
    """Documents whose footprint placement is uncertain (attribution status ``review`` and not
    from a manifest), or with ``everything`` every document read, each with its ``settled``
    placement (or None) and its ``version`` for the placement form. Unsettled ones come first."""
    where = "d.status = 'ok'"
    if not everything:
        where += " AND (d.footprint_status = 'review' AND COALESCE(d.footprint_source, '') != 'manifest'" \
                 " OR d.sha256 IN (SELECT document_sha256 FROM annotations WHERE item_type = 'placement'))"
    rows = store.conn.execute(
        "SELECT d.id, d.sha256, d.path, d.format, d.footprint_code, d.footprint_name, d.footprint_score,"
        " d.footprint_status, d.footprint_source, d.footprint_evidence, d.ccg_code,"
        " (SELECT MAX(a.id) FROM annotations a WHERE a.item_key = 'placement:' || d.sha256) AS version"
        f" FROM documents d WHERE {where} ORDER BY d.path"
    ).fetchall()
    settled = settled_placements(store)
    out = [dict(r, version=r["version"] or 0, settled=settled.get(r["sha256"])) for r in rows]
    out.sort(key=lambda d: d["settled"] is not None)
    return out


def unsettled_placements(store: Store) -> int:
    """How many uncertain placements no auditor has settled yet."""
    return store.conn.execute(
        "SELECT COUNT(*) FROM documents d WHERE d.status = 'ok' AND d.footprint_status = 'review'"
        " AND COALESCE(d.footprint_source, '') != 'manifest' AND NOT EXISTS (SELECT 1 FROM annotations a"
        " WHERE a.item_key = 'placement:' || d.sha256 AND a.decision = 'place' AND a.undone = 0)"
    ).fetchone()[0]


def record_placement(
    store: Store,
    doc: dict,
    auditor: str,
    code: str,
    *,
    nonce: str | None = None,
    seen: int | None = None,
) -> int | None:
    """Settle where ``doc`` belongs: a footprint ``code`` or :data:`PLACED_NOWHERE` (the caller
    checks the code against the reference list). Same nonce rules as :func:`record_decision`;
    stale when another auditor placed the document after ``seen``."""
    row = {
        "item_type": "placement", "item_key": placement_key(doc["sha256"]), "document_sha256": doc["sha256"],
        "page": None, "start": None, "end": None, "text": doc.get("path"), "sentence": None,
        "auditor": auditor, "decision": "place", "label": code, "created_at": store.utcnow(STAMP), "undone": 0,
        "nonce": nonce or secrets.token_hex(16),
        "meta_json": json.dumps({"path": doc.get("path"), "proposed": doc.get("footprint_code"),
                                 "score": doc.get("footprint_score"), "status": doc.get("footprint_status")},
                                sort_keys=True),
    }
    return store_row(store, row, seen)
