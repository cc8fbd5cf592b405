"""Auditors' decisions read back: the latest per auditor (agreement), conflicts, settled items,
and the training rows they yield (``svmine train --from-db``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from svmine.model import LABELS
from svmine.store.db import Store


def latest_decisions(store: Store) -> list[dict]:
    """Latest decisive, not-undone row per (item, auditor): what agreement is computed on."""
    rows = store.conn.execute(
        "SELECT * FROM annotations WHERE id IN (SELECT MAX(id) FROM annotations WHERE undone = 0"
        " AND decision IN ('accept', 'reject', 'relabel') GROUP BY item_key, auditor) ORDER BY item_key, auditor"
    )
    return [_with_meta(r) for r in rows]


def _with_meta(row: sqlite3.Row) -> dict:
    out = dict(row)
    out["meta"] = json.loads(out.get("meta_json") or "{}")
    return out


def conflicts(store: Store) -> list[dict]:
    """Items whose auditors disagree and that no lead has adjudicated yet."""
    adjudicated = {
        r[0] for r in store.conn.execute("SELECT item_key FROM annotations WHERE undone = 0 AND decision = 'adjudicate'")
    }
    by_item: dict[str, list[dict]] = {}
    for row in latest_decisions(store):
        by_item.setdefault(row["item_key"], []).append(row)
    doc_ids = {r["sha256"]: r["id"] for r in store.conn.execute("SELECT id, sha256 FROM documents")}
    out = []
    for key, rows in by_item.items():
        if key not in adjudicated and len({r["label"] for r in rows}) > 1:
            first = rows[0]
            out.append({"item_key": key, "decisions": rows, "first": first,
                        "doc_id": doc_ids.get(first["document_sha256"])})
    return out


def resolved_items(store: Store) -> list[dict]:
    """One row per item with a settled label: an adjudication, else a strict majority of auditors;
    added mentions count as settled by whoever added them (unless undone)."""
    settled: dict[str, dict] = {}
    votes: dict[str, list[dict]] = {}
    for row in latest_decisions(store):
        votes.setdefault(row["item_key"], []).append(row)
    for key, rows in votes.items():
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["label"]] = counts.get(r["label"], 0) + 1
        label, n = max(counts.items(), key=lambda kv: kv[1])
        if n * 2 > len(rows):
            settled[key] = dict(rows[-1], label=label)
    for decision in ("add", "adjudicate"):  # in this order, so an adjudication overrides all
        rows = store.conn.execute(
            "SELECT * FROM annotations WHERE id IN (SELECT MAX(id) FROM annotations WHERE undone = 0"
            " AND decision = ? GROUP BY item_key) ORDER BY id",
            (decision,),
        )
        for row in rows:
            settled[row["item_key"]] = _with_meta(row)
    return list(settled.values())


def training_examples(db_path: str | Path) -> list[dict]:
    """Sentences with labels from settled decisions, for ``svmine train --from-db``.

    One example per distinct sentence: its labels are every classifier label its settled items
    carry (``social_value_explicit``, ``social_value_implicit``, ``vcse``); a sentence whose items
    were all rejected (or relabelled ``other``) gets ``["other"]``. Name matches are not sentences
    and are left out; so are items auditors still disagree on.
    """
    with Store.open(db_path, mode="ro") as store:
        items = [i for i in resolved_items(store) if i["item_type"] != "name_match"]
    by_sentence: dict[str, set[str]] = {}
    for item in sorted(items, key=lambda i: i["id"]):
        text = (item.get("sentence") or item.get("text") or "").strip()
        if not text or item["label"] not in LABELS:
            continue
        labels = by_sentence.setdefault(text, set())
        if item["label"] != "other":
            labels.add(item["label"])
    return [{"text": t, "labels": sorted(ls) or ["other"]} for t, ls in by_sentence.items()]
