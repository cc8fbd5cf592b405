"""Annotation rows in and out of a store: every row for export, rows from a file for import."""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable

from svmine.store.db import Store
from svmine.store.review import COLUMNS, DECISIONS, insert_annotation, quoted


def all_rows(store: Store) -> list[dict]:
    """Every annotation row in insertion order, without the local row id (for export)."""
    rows = store.conn.execute(f"SELECT {', '.join(quoted(c) for c in COLUMNS)} FROM annotations ORDER BY id")
    return [dict(r) for r in rows]


def row_nonce(row: dict) -> str:
    """A stable nonce for an imported row that has none: the hash of its content."""
    body = json.dumps({c: row.get(c) for c in COLUMNS if c != "nonce"}, sort_keys=True, default=str)
    return "imp-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def insert_rows(store: Store, rows: Iterable[dict]) -> tuple[int, int]:
    """Insert exported/imported rows in one transaction; rows already present (same nonce) are
    skipped. Returns (inserted, skipped)."""
    inserted = skipped = 0
    with store.transaction():
        for row in rows:
            row = dict(row)
            row.setdefault("undone", 0)
            row.setdefault("meta_json", "{}")
            row["nonce"] = row.get("nonce") or row_nonce(row)
            missing = [c for c in ("item_type", "item_key", "auditor", "decision", "created_at") if not row.get(c)]
            if missing:
                raise ValueError(f"annotation lacks {', '.join(missing)}")
            if row["decision"] not in DECISIONS:
                raise ValueError(f"unknown decision {row['decision']!r}")
            if insert_annotation(store, row) is None:
                skipped += 1
            else:
                inserted += 1
    return inserted, skipped


def annotation_counts(store: Store) -> dict[str, Any]:
    rows = store.conn.execute("SELECT decision, COUNT(*) FROM annotations WHERE undone = 0 GROUP BY decision")
    return {r[0]: r[1] for r in rows}
