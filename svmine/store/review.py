"""The review queue: the items auditors decide (mentions and uncertain name matches), and their decisions.

Design decisions
- An item is keyed by content, never by row id: a mention is
  ``mention:<sha256>:<page>:<start>:<end>:<category>`` and a name match is
  ``name:<sha256>:<kind>:<query>:<candidate code>``. A re-scan that rebuilds ``mentions`` gives the
  same keys, so earlier decisions still apply to the same words.
- Every decisive row stores the label it *results in*: accept -> the item's own label, reject ->
  ``other`` (``none`` for a name match), relabel/add/adjudicate -> the chosen label. Agreement and
  training then read one column (``svmine.store.decisions``).
- An auditor's view of an item is their latest decisive row that is not undone; ``undo`` marks the
  auditor's last row undone and writes an ``undo`` row (the trail is never rewritten).
- Writes are short ``BEGIN IMMEDIATE`` transactions on a per-request ``Store.connect`` with a long
  busy timeout, retried on "database is locked"; a client nonce, unique *per auditor* (migration
  0003), makes a retried POST a no-op. The same auditor's nonce arriving with a different decision
  is a :class:`DecisionConflict`, never a silent drop; another auditor's equal nonce is simply stored.
- A form also carries ``seen``, the item's latest annotation id when the page was drawn. A decision
  made on a stale page (meanwhile another auditor adjudicated the item, filled its quota of
  auditors, or settled the same placement) is a :class:`DecisionConflict` naming who decided what,
  so no one overwrites a decision they never saw. Without ``seen`` (scripts, imports) there is no
  staleness check.
- Annotation rows are stamped with ``Store.utcnow`` to the microsecond (:data:`STAMP`).

Footprint placements: ``svmine.store.placements``; export/import: ``svmine.store.exchange``.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3

from svmine.detect.sentences import sentence_bounds
from svmine.store.db import Store

STAMP = "microseconds"  # precision of an annotation's created_at: orders a burst of decisions

DECISIONS = ("accept", "reject", "relabel", "skip", "add", "undo", "adjudicate", "place", "override")
NAME_REJECTED = "none"
_SAFE_INT = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True) and within SQLite's int64
STATUSES = ("todo", "mine", "conflict", "all")
ORDERS = ("document", "uncertain")
COLUMNS = (
    "item_type", "item_key", "document_sha256", "page", "start", "end", "text", "sentence",
    "auditor", "decision", "label", "created_at", "undone", "nonce", "meta_json",
)

_ITEMS_SQL = """
SELECT 'mention' AS item_type,
       'mention:' || d.sha256 || ':' || m.page || ':' || m.start || ':' || m."end" || ':' || m.category
           AS item_key,
       d.id AS doc_id, d.sha256, d.path, d.format, d.title, d.footprint_code AS footprint,
       m.page, m.start, m."end" AS "end", m.text, m.sentence, m.sentence_start, m.sentence_end,
       m.category, m.kind, m.source, m.label, m.probability, m.context_json, m.pattern_id,
       '{}' AS extra_json
FROM mentions m JOIN documents d ON d.id = m.document_id
UNION ALL
SELECT 'name_match',
       'name:' || COALESCE(d.sha256, '-') || ':' || nm.kind || ':' || nm.query || ':'
           || COALESCE(nm.candidate_code, '-'),
       d.id, d.sha256, d.path, d.format, d.title, d.footprint_code,
       NULL, NULL, NULL, nm.query, nm.query, NULL, NULL,
       'name_match', nm.kind, 'resolver', nm.candidate_code, NULL, '{}', NULL,
       json_object('candidate_code', nm.candidate_code, 'candidate_name', nm.candidate_name,
                   'score', nm.score, 'runner_up_code', nm.runner_up_code,
                   'runner_up_name', nm.runner_up_name, 'margin', nm.margin)
FROM name_matches nm LEFT JOIN documents d ON d.id = nm.document_id
WHERE nm.status = 'review'
"""

# Latest decisive, not-undone row per (item, auditor), and the per-item state derived from it.
_STATE_SQL = """
latest AS (
    SELECT a.item_key, a.auditor, a.label FROM annotations a
    WHERE a.id IN (SELECT MAX(id) FROM annotations
                   WHERE undone = 0 AND decision IN ('accept', 'reject', 'relabel')
                   GROUP BY item_key, auditor)),
state AS (
    SELECT item_key, COUNT(*) AS n_decided, COUNT(DISTINCT label) AS n_labels,
           MAX(auditor = :auditor) AS mine
    FROM latest GROUP BY item_key),
adj AS (
    SELECT item_key, MAX(id) AS adj_id FROM annotations
    WHERE undone = 0 AND decision = 'adjudicate' GROUP BY item_key),
touched AS (
    SELECT item_key, MAX(id) AS touched_id FROM annotations
    WHERE undone = 0 AND decision != 'undo' AND auditor = :auditor GROUP BY item_key)
"""

_STATUS_WHERE = {
    "todo": "adj.adj_id IS NULL AND COALESCE(state.mine, 0) = 0 AND COALESCE(state.n_decided, 0) < :n",
    "mine": "COALESCE(state.mine, 0) = 1",
    "conflict": "adj.adj_id IS NULL AND COALESCE(state.n_labels, 0) > 1",
    "all": "1",
}

_ORDER_BY = {
    "document": "items.path, items.page IS NULL, items.page, items.start, items.item_key",
    "uncertain": "items.probability IS NULL, ABS(items.probability - 0.5), items.path, items.page,"
    " items.start, items.item_key",
}


class DecisionConflict(Exception):
    """A decision that would overwrite or contradict one its auditor has not seen (HTTP 409)."""


def safe_int(value) -> int | None:
    """``value`` as a non-negative int when it is 1-18 ASCII digits, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10**18 else None
    if isinstance(value, str) and _SAFE_INT.fullmatch(value):
        return int(value)
    return None


# -- settings -----------------------------------------------------------------------------------


def secret_key(store: Store) -> str:
    """The database's session-signing secret, created on first use."""
    with store.transaction():
        store.conn.execute(
            "INSERT OR IGNORE INTO review_settings (key, value) VALUES ('secret_key', ?)",
            (secrets.token_hex(32),),
        )
        return store.conn.execute("SELECT value FROM review_settings WHERE key = 'secret_key'").fetchone()[0]


# -- items and the queue ------------------------------------------------------------------------


def item_label(item: dict) -> str | None:
    """The label an item carries as found: a classifier label, or a name match's candidate code."""
    if item["item_type"] == "name_match":
        return item.get("label")
    if item["category"] == "vcse":
        return "vcse"
    return f"social_value_{item['kind']}"


def _item(row: sqlite3.Row) -> dict:
    item = dict(row)
    item["context"] = json.loads(item.pop("context_json") or "{}")
    item["extra"] = json.loads(item.pop("extra_json") or "{}")
    item["model_label"] = item_label(item)
    for name in ("n_decided", "n_labels", "mine", "adj_id", "touched_id"):
        item.setdefault(name, None)
    return item


def _filters_sql(filters: dict) -> tuple[str, dict]:
    clauses, params = [], {}
    for name, column in (("document", "doc_id"), ("footprint", "footprint"), ("category", "category"),
                         ("source", "source")):
        value = filters.get(name)
        if value not in (None, ""):
            if name == "document":
                value = safe_int(value)
                value = -1 if value is None else value  # matches nothing
            clauses.append(f"items.{column} = :f_{name}")
            params[f"f_{name}"] = value
    return (" AND ".join(clauses) or "1"), params


def _queue_sql(status: str, order: str, where: str, select: str = "count") -> str:
    """The queue query: ``select`` is "count", "keys" (ordered keys with the total), or "rows"."""
    if status not in STATUSES or order not in ORDERS:
        raise ValueError(f"unknown status {status!r} or order {order!r}")
    # Identical mention rows share a key; they are decided together, so there is no dedupe pass
    # (it would triple the query's cost on a large store).
    head = f"WITH items AS ({_ITEMS_SQL}), {_STATE_SQL}"
    joins = (" FROM items LEFT JOIN state USING (item_key) LEFT JOIN adj USING (item_key)"
             " LEFT JOIN touched USING (item_key)")
    if select == "count":
        return f"{head} SELECT COUNT(*){joins} WHERE {_STATUS_WHERE[status]} AND {where}"
    if select == "keys":  # narrow rows sort fast; the full rows are fetched for the page only
        return (f"{head} SELECT items.item_key, COUNT(*) OVER () AS total{joins}"
                f" WHERE {_STATUS_WHERE[status]} AND {where}"
                f" ORDER BY COALESCE(touched.touched_id, 0), {_ORDER_BY[order]}"
                " LIMIT :limit OFFSET :offset")
    return (f"{head} SELECT items.*, state.n_decided, state.n_labels, state.mine, adj.adj_id, touched.touched_id"
            f"{joins} WHERE items.item_key IN (SELECT value FROM json_each(:keys))")


def queue_page(
    store: Store,
    auditor: str,
    *,
    auditors_per_item: int = 1,
    filters: dict | None = None,
    status: str = "todo",
    order: str = "document",
    limit: int = 1,
    offset: int = 0,
) -> tuple[list[dict], int]:
    """Items for ``auditor`` and how many match in all. With status ``todo``: items they have not
    decided, that fewer than ``auditors_per_item`` auditors decided and no lead adjudicated.
    Items the auditor never touched come first; the rest follow by the time of their last
    decision (a skip included), so skipping or re-deciding an item sends it to the back and the
    ``mine``/``all``/``conflict`` views move on after each decision."""
    where, params = _filters_sql(filters or {})
    params.update(auditor=auditor, n=auditors_per_item, limit=limit, offset=offset)
    ranked = store.conn.execute(_queue_sql(status, order, where, "keys"), params).fetchall()
    if not ranked:
        return [], 0
    keys = list(dict.fromkeys(r["item_key"] for r in ranked))
    if len(keys) <= 50:
        found = [get_item(store, k) for k in keys]
        return [i for i in found if i is not None], ranked[0]["total"]
    rows = store.conn.execute(_queue_sql(status, order, "1", "rows"), {"auditor": auditor, "keys": json.dumps(keys)})
    by_key = {row["item_key"]: _item(row) for row in rows}
    return [by_key[k] for k in keys if k in by_key], ranked[0]["total"]


def queue(store: Store, auditor: str, **options) -> list[dict]:
    """The items of :func:`queue_page` without the total."""
    return queue_page(store, auditor, **options)[0]


def queue_count(store: Store, auditor: str, *, auditors_per_item: int = 1,
                filters: dict | None = None, status: str = "todo") -> int:
    where, params = _filters_sql(filters or {})
    params.update(auditor=auditor, n=auditors_per_item)
    return store.conn.execute(_queue_sql(status, "document", where), params).fetchone()[0]


_MENTION_BY_KEY = _ITEMS_SQL.split("UNION ALL")[0] + (
    ' WHERE d.sha256 = ? AND m.page = ? AND m.start = ? AND m."end" = ? AND m.category = ? LIMIT 1'
)
_NAMES_ONLY = "SELECT * FROM (" + _ITEMS_SQL + ") WHERE item_type = 'name_match' AND item_key = ? LIMIT 1"


def get_item(store: Store, item_key: str) -> dict | None:
    """The queue item with this key, looked up through the mention's own columns (indexed)."""
    parts = item_key.split(":")
    numbers = [safe_int(p) for p in parts[2:5]]
    if parts[0] == "mention" and len(parts) == 6 and None not in numbers:
        row = store.conn.execute(_MENTION_BY_KEY, (parts[1], *numbers, parts[5]))
        found = row.fetchone()
        return _item(found) if found else None
    if parts[0] == "name":
        found = store.conn.execute(_NAMES_ONLY, (item_key,)).fetchone()
        return _item(found) if found else None
    return None


def filter_options(store: Store) -> dict:
    """Choices for the queue's filter bar."""
    docs = store.conn.execute(
        "SELECT id, path, title FROM documents WHERE id IN (SELECT document_id FROM mentions"
        " UNION SELECT document_id FROM name_matches WHERE status = 'review') ORDER BY path"
    ).fetchall()
    footprints = store.conn.execute(
        "SELECT DISTINCT footprint_code FROM documents WHERE footprint_code IS NOT NULL ORDER BY 1"
    ).fetchall()
    return {
        "documents": [dict(r) for r in docs],
        "footprints": [r[0] for r in footprints],
        "categories": ["social_value", "vcse", "name_match"],
        "sources": ["pattern", "classifier", "resolver"],
    }


def document(store: Store, doc_id: int) -> dict | None:
    if safe_int(doc_id) is None:
        return None
    row = store.conn.execute(
        "SELECT id, sha256, path, format, title, page_count, footprint_code FROM documents WHERE id = ?",
        (doc_id,),
    ).fetchone()
    return dict(row) if row else None


def document_paths(store: Store) -> list[str]:
    """Every stored document's path, in order (the app names documents by their shortest unique suffix)."""
    return [r[0] for r in store.conn.execute("SELECT path FROM documents ORDER BY path")]


def page_text(store: Store, doc_id: int, page: int) -> str | None:
    if safe_int(doc_id) is None or safe_int(page) is None:
        return None
    row = store.conn.execute("SELECT text FROM pages WHERE document_id = ? AND number = ?", (doc_id, page)).fetchone()
    return row[0] if row else None


def page_mentions(store: Store, doc_id: int, page: int) -> list[dict]:
    rows = store.conn.execute(
        'SELECT start, "end", category, kind FROM mentions WHERE document_id = ? AND page = ? ORDER BY start',
        (doc_id, page),
    )
    return [dict(r) for r in rows]


# -- decisions ----------------------------------------------------------------------------------


def resulting_label(item: dict, decision: str, label: str | None) -> str | None:
    """The label a decision leaves the item with (see the module docstring)."""
    if decision == "accept":
        return item_label(item)
    if decision == "reject":
        return NAME_REJECTED if item["item_type"] == "name_match" else "other"
    return label


def _meta(item: dict) -> dict:
    keys = ("category", "kind", "source", "model_label", "probability", "path", "pattern_id", "context", "extra",
            "sentence_start")
    return {k: item.get(k) for k in keys if item.get(k) not in (None, {}, "")}


def record_decision(
    store: Store,
    item: dict,
    auditor: str,
    decision: str,
    label: str | None = None,
    nonce: str | None = None,
    *,
    seen: int | None = None,
    quota: int = 1,
) -> int | None:
    """Store one decision on a queue item; returns its row id, or None when this auditor already
    sent this very decision with this nonce. Raises :class:`DecisionConflict` when the nonce was
    used for another decision, or when ``seen`` (the item's :func:`item_version` on the auditor's
    page) is stale: another auditor adjudicated the item since, or, for accept/reject/relabel,
    decided it and so filled its ``quota`` of auditors."""
    if decision not in ("accept", "reject", "relabel", "skip", "adjudicate"):
        raise ValueError(f"unknown decision {decision!r}")
    row = {
        "item_type": item["item_type"], "item_key": item["item_key"],
        "document_sha256": item.get("sha256"), "page": item.get("page"), "start": item.get("start"),
        "end": item.get("end"), "text": item.get("text"), "sentence": item.get("sentence"),
        "auditor": auditor, "decision": decision, "label": resulting_label(item, decision, label),
        "created_at": store.utcnow(STAMP), "undone": 0, "nonce": nonce or secrets.token_hex(16),
        "meta_json": json.dumps(_meta(item), sort_keys=True),
    }
    return store_row(store, row, seen, quota)


_VERBS = {"accept": "accepted", "reject": "rejected", "relabel": "relabelled", "adjudicate": "adjudicated",
          "place": "placed", "override": "overrode"}


def item_version(store: Store, item_key: str) -> int:
    """The item's latest annotation id (0 if none): a page sends it back as ``seen``."""
    row = store.conn.execute("SELECT MAX(id) FROM annotations WHERE item_key = ?", (item_key,)).fetchone()
    return row[0] or 0


def store_row(store: Store, row: dict, seen: int | None = None, quota: int = 1) -> int | None:
    """Insert one decision row (a full ``COLUMNS`` dict) in its own transaction; returns its id, or
    None when this auditor already stored it under this nonce. :class:`DecisionConflict` when the
    nonce holds another decision, or the decision is stale after ``seen`` (see the module docstring)."""
    with store.transaction():
        if _duplicate(store, row):
            return None
        _check_fresh(store, row, seen, quota)
        return insert_annotation(store, row)


def _check_fresh(store: Store, row: dict, seen: int | None, quota: int) -> None:
    if seen is None or row["decision"] == "skip":
        return
    newer = store.conn.execute(
        "SELECT auditor, decision, label FROM annotations WHERE item_key = ? AND id > ? AND auditor != ?"
        " AND undone = 0 AND decision IN ('accept', 'reject', 'relabel', 'adjudicate', 'place', 'override')"
        " ORDER BY id DESC",
        (row["item_key"], seen, row["auditor"]),
    ).fetchall()
    if row["decision"] in ("adjudicate", "place", "override"):
        blocking = [r for r in newer if r["decision"] == row["decision"]]
    else:
        blocking = [r for r in newer if r["decision"] == "adjudicate"]
        if not blocking and newer:
            others = store.conn.execute(
                "SELECT COUNT(DISTINCT auditor) FROM annotations WHERE item_key = ? AND auditor != ? AND undone = 0"
                " AND decision IN ('accept', 'reject', 'relabel')",
                (row["item_key"], row["auditor"]),
            ).fetchone()[0]
            if others >= quota:
                blocking = [r for r in newer if r["decision"] != "adjudicate"]
    if blocking:
        first = blocking[0]
        what = f" as {first['label']}" if first["label"] else ""
        raise DecisionConflict(
            f"{first['auditor']} {_VERBS.get(first['decision'], first['decision'])} this item{what} after your"
            " page was loaded, so your decision was not stored: reload to see the decisions, then decide again"
        )


def _duplicate(store: Store, row: dict) -> bool:
    """True when this auditor already stored this row under this nonce (a doubled submit);
    :class:`DecisionConflict` when the nonce holds a different decision."""
    old = store.conn.execute(
        "SELECT item_key, decision, label FROM annotations WHERE auditor = ? AND nonce = ?",
        (row["auditor"], row["nonce"]),
    ).fetchone()
    if old is None:
        return False
    if (old["item_key"], old["decision"], old["label"]) == (row["item_key"], row["decision"], row["label"]):
        return True
    raise DecisionConflict(
        "this form was already submitted with another decision (the same nonce was used twice), so this one"
        " was not stored: reload the page and decide again"
    )


def insert_annotation(store: Store, row: dict) -> int | None:
    cur = store.conn.execute(
        f"INSERT INTO annotations ({', '.join(quoted(c) for c in COLUMNS)})"
        f" VALUES ({', '.join('?' for _ in COLUMNS)})"
        " ON CONFLICT (auditor, nonce) WHERE nonce IS NOT NULL DO NOTHING",
        tuple(row.get(c) for c in COLUMNS),
    )
    return cur.lastrowid if cur.rowcount else None


def quoted(column: str) -> str:
    return f'"{column}"'


def add_mention(
    store: Store,
    doc: dict,
    page: int,
    start: int,
    end: int,
    label: str,
    auditor: str,
    nonce: str | None = None,
) -> int | None:
    """Record a mention the machine missed (offsets index the stored page text)."""
    text = page_text(store, doc["id"], page) or ""
    s_start, s_end = sentence_bounds(text, start, end)
    category = "vcse" if label == "vcse" else "social_value"
    row = {
        "item_type": "added", "item_key": f"added:{doc['sha256']}:{page}:{start}:{end}:{label}",
        "document_sha256": doc["sha256"], "page": page, "start": start, "end": end,
        "text": text[start:end], "sentence": text[s_start:s_end], "auditor": auditor, "decision": "add",
        "label": label, "created_at": store.utcnow(STAMP), "undone": 0, "nonce": nonce or secrets.token_hex(16),
        "meta_json": json.dumps({"category": category, "source": "auditor", "path": doc["path"],
                                 "sentence_start": s_start}, sort_keys=True),
    }
    return store_row(store, row)


def undo_last(store: Store, auditor: str, nonce: str | None = None) -> dict | None:
    """Undo the auditor's latest decision (of any kind but undo); returns the undone row."""
    with store.transaction():
        row = store.conn.execute(
            "SELECT * FROM annotations WHERE auditor = ? AND undone = 0 AND decision != 'undo'"
            " ORDER BY id DESC LIMIT 1",
            (auditor,),
        ).fetchone()
        if row is None:
            return None
        undo = {c: row[c] for c in COLUMNS}
        undo.update(decision="undo", label=None, created_at=store.utcnow(STAMP), nonce=nonce or secrets.token_hex(16),
                    meta_json=json.dumps({"undoes": row["nonce"]}))
        if insert_annotation(store, undo) is None:
            return None  # the same undo request arrived twice
        store.conn.execute("UPDATE annotations SET undone = 1 WHERE id = ?", (row["id"],))
    return dict(row)


def decisions_of(store: Store, auditor: str, limit: int = 10) -> list[dict]:
    rows = store.conn.execute(
        "SELECT * FROM annotations WHERE auditor = ? ORDER BY id DESC LIMIT ?", (auditor, limit)
    )
    return [dict(r) for r in rows]


def item_decisions(store: Store, item_key: str) -> list[dict]:
    rows = store.conn.execute(
        "SELECT * FROM annotations WHERE item_key = ? AND undone = 0 AND decision != 'undo' ORDER BY id",
        (item_key,),
    )
    return [dict(r) for r in rows]
