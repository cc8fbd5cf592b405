"""Auditors' decisions: the review queue, annotation rows, and the training set they yield.

Design decisions
- An item is keyed by content, never by row id: a mention is
  ``mention:<sha256>:<page>:<start>:<end>:<category>`` and a name match is
  ``name:<sha256>:<kind>:<query>:<candidate code>``. A re-scan that rebuilds ``mentions`` gives the
  same keys, so earlier decisions still apply to the same words.
- Every decisive row stores the label it *results in*: accept -> the item's own label, reject ->
  ``other`` (``none`` for a name match), relabel/add/adjudicate -> the chosen label. Agreement and
  training then read one column.
- An auditor's view of an item is their latest decisive row that is not undone; ``undo`` marks the
  auditor's last row undone and writes an ``undo`` row (the trail is never rewritten).
- Writes are short ``BEGIN IMMEDIATE`` transactions on a per-request connection with a long busy
  timeout, retried on "database is locked"; a client nonce, unique *per auditor* (migration 0003),
  makes a retried POST a no-op. The same auditor's nonce arriving with a different decision is a
  :class:`DecisionConflict`, never a silent drop; another auditor's equal nonce is simply stored.
- A form also carries ``seen``, the item's latest annotation id when the page was drawn. A decision
  made on a stale page (meanwhile another auditor adjudicated the item, filled its quota of
  auditors, or settled the same placement) is a :class:`DecisionConflict` naming who decided what,
  so no one overwrites a decision they never saw. Without ``seen`` (scripts, imports) there is no
  staleness check.
- Uncertain footprint placements are settled as ``placement`` rows (decision ``place``, label the
  footprint code or ``none``); the latest not-undone one per document wins
  (:func:`settled_placements`), and :func:`with_settled_placements` applies them to document rows
  for the tables and report.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

LABELS = ("social_value_explicit", "social_value_implicit", "vcse", "other")
DECISIONS = ("accept", "reject", "relabel", "skip", "add", "undo", "adjudicate", "place")
NAME_REJECTED = "none"
PLACED_NOWHERE = "none"  # a placement decision saying: this document belongs to no footprint
SETTLED = "settled"  # footprint_status of a document whose placement an auditor settled
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


def utcnow() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def connect(db_path: str | Path) -> sqlite3.Connection:
    """A connection for one request or command: autocommit, WAL, long busy timeout."""
    conn = sqlite3.connect(str(db_path), timeout=60, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 60000")
    conn.execute("PRAGMA journal_mode = WAL")
    return conn


def open_migrated(db_path: str | Path) -> sqlite3.Connection:
    """``connect`` after ``Store.open`` has brought the schema up to date (commands that write:
    annotation import). The file must already be an svmine store (``StoreError`` otherwise)."""
    from svmine.store.db import Store

    Store.open(db_path, mode="rw").close()
    return connect(db_path)


def open_readonly(db_path: str | Path) -> sqlite3.Connection:
    """A read-only connection to an svmine store of the current schema (export, agreement,
    training): nothing is created, migrated or switched to WAL; ``StoreError`` otherwise."""
    from svmine.store.db import Store

    return Store.open(db_path, mode="ro").conn


@contextmanager
def write_transaction(conn: sqlite3.Connection, attempts: int = 8) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (retried while another writer holds the lock) ... ``COMMIT``."""
    for attempt in range(attempts):
        try:
            conn.execute("BEGIN IMMEDIATE")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# -- settings -----------------------------------------------------------------------------------


def secret_key(conn: sqlite3.Connection) -> str:
    """The database's session-signing secret, created on first use."""
    with write_transaction(conn):
        conn.execute(
            "INSERT OR IGNORE INTO review_settings (key, value) VALUES ('secret_key', ?)",
            (secrets.token_hex(32),),
        )
        return conn.execute("SELECT value FROM review_settings WHERE key = 'secret_key'").fetchone()[0]


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
    conn: sqlite3.Connection,
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
    ranked = conn.execute(_queue_sql(status, order, where, "keys"), params).fetchall()
    if not ranked:
        return [], 0
    keys = list(dict.fromkeys(r["item_key"] for r in ranked))
    if len(keys) <= 50:
        found = [get_item(conn, k) for k in keys]
        return [i for i in found if i is not None], ranked[0]["total"]
    rows = conn.execute(_queue_sql(status, order, "1", "rows"), {"auditor": auditor, "keys": json.dumps(keys)})
    by_key = {row["item_key"]: _item(row) for row in rows}
    return [by_key[k] for k in keys if k in by_key], ranked[0]["total"]


def queue(conn: sqlite3.Connection, auditor: str, **options) -> list[dict]:
    """The items of :func:`queue_page` without the total."""
    return queue_page(conn, auditor, **options)[0]


def queue_count(conn: sqlite3.Connection, auditor: str, *, auditors_per_item: int = 1,
                filters: dict | None = None, status: str = "todo") -> int:
    where, params = _filters_sql(filters or {})
    params.update(auditor=auditor, n=auditors_per_item)
    return conn.execute(_queue_sql(status, "document", where), params).fetchone()[0]


_MENTION_BY_KEY = _ITEMS_SQL.split("UNION ALL")[0] + (
    ' WHERE d.sha256 = ? AND m.page = ? AND m.start = ? AND m."end" = ? AND m.category = ? LIMIT 1'
)
_NAMES_ONLY = "SELECT * FROM (" + _ITEMS_SQL + ") WHERE item_type = 'name_match' AND item_key = ? LIMIT 1"


def get_item(conn: sqlite3.Connection, item_key: str) -> dict | None:
    """The queue item with this key, looked up through the mention's own columns (indexed)."""
    parts = item_key.split(":")
    numbers = [safe_int(p) for p in parts[2:5]]
    if parts[0] == "mention" and len(parts) == 6 and None not in numbers:
        row = conn.execute(_MENTION_BY_KEY, (parts[1], *numbers, parts[5]))
        found = row.fetchone()
        return _item(found) if found else None
    if parts[0] == "name":
        found = conn.execute(_NAMES_ONLY, (item_key,)).fetchone()
        return _item(found) if found else None
    return None


def filter_options(conn: sqlite3.Connection) -> dict:
    """Choices for the queue's filter bar."""
    docs = conn.execute(
        "SELECT id, path, title FROM documents WHERE id IN (SELECT document_id FROM mentions"
        " UNION SELECT document_id FROM name_matches WHERE status = 'review') ORDER BY path"
    ).fetchall()
    footprints = conn.execute(
        "SELECT DISTINCT footprint_code FROM documents WHERE footprint_code IS NOT NULL ORDER BY 1"
    ).fetchall()
    return {
        "documents": [dict(r) for r in docs],
        "footprints": [r[0] for r in footprints],
        "categories": ["social_value", "vcse", "name_match"],
        "sources": ["pattern", "classifier", "resolver"],
    }


def document(conn: sqlite3.Connection, doc_id: int) -> dict | None:
    if safe_int(doc_id) is None:
        return None
    row = conn.execute(
        "SELECT id, sha256, path, format, title, page_count, footprint_code FROM documents WHERE id = ?",
        (doc_id,),
    ).fetchone()
    return dict(row) if row else None


def page_text(conn: sqlite3.Connection, doc_id: int, page: int) -> str | None:
    if safe_int(doc_id) is None or safe_int(page) is None:
        return None
    row = conn.execute("SELECT text FROM pages WHERE document_id = ? AND number = ?", (doc_id, page)).fetchone()
    return row[0] if row else None


def page_mentions(conn: sqlite3.Connection, doc_id: int, page: int) -> list[dict]:
    rows = conn.execute(
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
    conn: sqlite3.Connection,
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
        "created_at": utcnow(), "undone": 0, "nonce": nonce or secrets.token_hex(16),
        "meta_json": json.dumps(_meta(item), sort_keys=True),
    }
    with write_transaction(conn):
        if _duplicate(conn, row):
            return None
        _check_fresh(conn, row, seen, quota)
        return _insert(conn, row)


_VERBS = {"accept": "accepted", "reject": "rejected", "relabel": "relabelled", "adjudicate": "adjudicated",
          "place": "placed"}


def item_version(conn: sqlite3.Connection, item_key: str) -> int:
    """The item's latest annotation id (0 if none): a page sends it back as ``seen``."""
    row = conn.execute("SELECT MAX(id) FROM annotations WHERE item_key = ?", (item_key,)).fetchone()
    return row[0] or 0


def _check_fresh(conn: sqlite3.Connection, row: dict, seen: int | None, quota: int) -> None:
    if seen is None or row["decision"] == "skip":
        return
    newer = conn.execute(
        "SELECT auditor, decision, label FROM annotations WHERE item_key = ? AND id > ? AND auditor != ?"
        " AND undone = 0 AND decision IN ('accept', 'reject', 'relabel', 'adjudicate', 'place') ORDER BY id DESC",
        (row["item_key"], seen, row["auditor"]),
    ).fetchall()
    if row["decision"] in ("adjudicate", "place"):
        blocking = [r for r in newer if r["decision"] == row["decision"]]
    else:
        blocking = [r for r in newer if r["decision"] == "adjudicate"]
        if not blocking and newer:
            others = conn.execute(
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


def _duplicate(conn: sqlite3.Connection, row: dict) -> bool:
    """True when this auditor already stored this row under this nonce (a doubled submit);
    :class:`DecisionConflict` when the nonce holds a different decision."""
    old = conn.execute(
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


def _insert(conn: sqlite3.Connection, row: dict) -> int | None:
    cur = conn.execute(
        f"INSERT INTO annotations ({', '.join(_quoted(c) for c in COLUMNS)})"
        f" VALUES ({', '.join('?' for _ in COLUMNS)})"
        " ON CONFLICT (auditor, nonce) WHERE nonce IS NOT NULL DO NOTHING",
        tuple(row.get(c) for c in COLUMNS),
    )
    return cur.lastrowid if cur.rowcount else None


def _quoted(column: str) -> str:
    return f'"{column}"'


def add_mention(
    conn: sqlite3.Connection,
    doc: dict,
    page: int,
    start: int,
    end: int,
    label: str,
    auditor: str,
    nonce: str | None = None,
) -> int | None:
    """Record a mention the machine missed (offsets index the stored page text)."""
    text = page_text(conn, doc["id"], page) or ""
    s_start, s_end = sentence_bounds(text, start, end)
    category = "vcse" if label == "vcse" else "social_value"
    row = {
        "item_type": "added", "item_key": f"added:{doc['sha256']}:{page}:{start}:{end}:{label}",
        "document_sha256": doc["sha256"], "page": page, "start": start, "end": end,
        "text": text[start:end], "sentence": text[s_start:s_end], "auditor": auditor, "decision": "add",
        "label": label, "created_at": utcnow(), "undone": 0, "nonce": nonce or secrets.token_hex(16),
        "meta_json": json.dumps({"category": category, "source": "auditor", "path": doc["path"],
                                 "sentence_start": s_start}, sort_keys=True),
    }
    with write_transaction(conn):
        if _duplicate(conn, row):
            return None
        return _insert(conn, row)


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence around ``text[start:end]`` (a light rule: . ! ? before space, or a blank line)."""
    s = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        s = match.end()
    found = _SENTENCE_END.search(text, end)
    e = found.end() if found else len(text)
    while s < start and text[s].isspace():
        s += 1
    while e > end and text[e - 1].isspace():
        e -= 1
    return s, e


def undo_last(conn: sqlite3.Connection, auditor: str, nonce: str | None = None) -> dict | None:
    """Undo the auditor's latest decision (of any kind but undo); returns the undone row."""
    with write_transaction(conn):
        row = conn.execute(
            "SELECT * FROM annotations WHERE auditor = ? AND undone = 0 AND decision != 'undo'"
            " ORDER BY id DESC LIMIT 1",
            (auditor,),
        ).fetchone()
        if row is None:
            return None
        undo = {c: row[c] for c in COLUMNS}
        undo.update(decision="undo", label=None, created_at=utcnow(), nonce=nonce or secrets.token_hex(16),
                    meta_json=json.dumps({"undoes": row["nonce"]}))
        if _insert(conn, undo) is None:
            return None  # the same undo request arrived twice
        conn.execute("UPDATE annotations SET undone = 1 WHERE id = ?", (row["id"],))
    return dict(row)


def decisions_of(conn: sqlite3.Connection, auditor: str, limit: int = 10) -> list[dict]:
    rows = conn.execute(
        "SELECT * FROM annotations WHERE auditor = ? ORDER BY id DESC LIMIT ?", (auditor, limit)
    )
    return [dict(r) for r in rows]


def item_decisions(conn: sqlite3.Connection, item_key: str) -> list[dict]:
    rows = conn.execute(
        "SELECT * FROM annotations WHERE item_key = ? AND undone = 0 AND decision != 'undo' ORDER BY id",
        (item_key,),
    )
    return [dict(r) for r in rows]


# -- footprint placements ---------------------------------------------------------------------------


def placement_key(sha256: str) -> str:
    return f"placement:{sha256}"


def settled_placements(conn: sqlite3.Connection) -> dict[str, dict]:
    """sha256 -> the auditors' settled placement of that document: ``code`` (None when placed in
    no footprint), ``auditor``, ``created_at``. The latest not-undone ``place`` row wins."""
    rows = conn.execute(
        "SELECT document_sha256, label, auditor, created_at FROM annotations WHERE id IN"
        " (SELECT MAX(id) FROM annotations WHERE item_type = 'placement' AND decision = 'place' AND undone = 0"
        "  GROUP BY item_key)"
    )
    # plain tuples: the tables and report read through connections without sqlite3.Row
    return {sha: {"code": None if label == PLACED_NOWHERE else label, "auditor": auditor, "created_at": created}
            for sha, label, auditor, created in rows}


def with_settled_placements(conn: sqlite3.Connection, documents: list[dict]) -> list[dict]:
    """Document rows (with ``sha256`` and the ``footprint_*`` columns) with each settled placement
    applied: the auditor's footprint, status ``settled`` (``no_match`` when placed nowhere) and
    source ``review``; a CCG is kept only while the document stays in the footprint it was
    inferred in. Rows without a settled placement are returned unchanged."""
    settled = settled_placements(conn)
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


def placements(conn: sqlite3.Connection, *, everything: bool = False) -> list[dict]:
    """Documents whose footprint placement is uncertain (attribution status ``review`` and not
    from a manifest), or with ``everything`` every document read, each with its ``settled``
    placement (or None) and its ``version`` for the placement form. Unsettled ones come first."""
    where = "d.status = 'ok'"
    if not everything:
        where += " AND (d.footprint_status = 'review' AND COALESCE(d.footprint_source, '') != 'manifest'" \
                 " OR d.sha256 IN (SELECT document_sha256 FROM annotations WHERE item_type = 'placement'))"
    rows = conn.execute(
        "SELECT d.id, d.sha256, d.path, d.format, d.footprint_code, d.footprint_name, d.footprint_score,"
        " d.footprint_status, d.footprint_source, d.footprint_evidence, d.ccg_code,"
        " (SELECT MAX(a.id) FROM annotations a WHERE a.item_key = 'placement:' || d.sha256) AS version"
        f" FROM documents d WHERE {where} ORDER BY d.path"
    ).fetchall()
    settled = settled_placements(conn)
    out = [dict(r, version=r["version"] or 0, settled=settled.get(r["sha256"])) for r in rows]
    out.sort(key=lambda d: d["settled"] is not None)
    return out


def unsettled_placements(conn: sqlite3.Connection) -> int:
    """How many uncertain placements no auditor has settled yet."""
    return conn.execute(
        "SELECT COUNT(*) FROM documents d WHERE d.status = 'ok' AND d.footprint_status = 'review'"
        " AND COALESCE(d.footprint_source, '') != 'manifest' AND NOT EXISTS (SELECT 1 FROM annotations a"
        " WHERE a.item_key = 'placement:' || d.sha256 AND a.decision = 'place' AND a.undone = 0)"
    ).fetchone()[0]


def record_placement(
    conn: sqlite3.Connection,
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
        "auditor": auditor, "decision": "place", "label": code, "created_at": utcnow(), "undone": 0,
        "nonce": nonce or secrets.token_hex(16),
        "meta_json": json.dumps({"path": doc.get("path"), "proposed": doc.get("footprint_code"),
                                 "score": doc.get("footprint_score"), "status": doc.get("footprint_status")},
                                sort_keys=True),
    }
    with write_transaction(conn):
        if _duplicate(conn, row):
            return None
        _check_fresh(conn, row, seen, 1)
        return _insert(conn, row)


# -- reading decisions back -----------------------------------------------------------------------


def latest_decisions(conn: sqlite3.Connection) -> list[dict]:
    """Latest decisive, not-undone row per (item, auditor): what agreement is computed on."""
    rows = conn.execute(
        "SELECT * FROM annotations WHERE id IN (SELECT MAX(id) FROM annotations WHERE undone = 0"
        " AND decision IN ('accept', 'reject', 'relabel') GROUP BY item_key, auditor) ORDER BY item_key, auditor"
    )
    return [_with_meta(r) for r in rows]


def _with_meta(row: sqlite3.Row) -> dict:
    out = dict(row)
    out["meta"] = json.loads(out.get("meta_json") or "{}")
    return out


def conflicts(conn: sqlite3.Connection) -> list[dict]:
    """Items whose auditors disagree and that no lead has adjudicated yet."""
    adjudicated = {
        r[0] for r in conn.execute("SELECT item_key FROM annotations WHERE undone = 0 AND decision = 'adjudicate'")
    }
    by_item: dict[str, list[dict]] = {}
    for row in latest_decisions(conn):
        by_item.setdefault(row["item_key"], []).append(row)
    doc_ids = {r["sha256"]: r["id"] for r in conn.execute("SELECT id, sha256 FROM documents")}
    out = []
    for key, rows in by_item.items():
        if key not in adjudicated and len({r["label"] for r in rows}) > 1:
            first = rows[0]
            out.append({"item_key": key, "decisions": rows, "first": first,
                        "doc_id": doc_ids.get(first["document_sha256"])})
    return out


def resolved_items(conn: sqlite3.Connection) -> list[dict]:
    """One row per item with a settled label: an adjudication, else a strict majority of auditors;
    added mentions count as settled by whoever added them (unless undone)."""
    settled: dict[str, dict] = {}
    votes: dict[str, list[dict]] = {}
    for row in latest_decisions(conn):
        votes.setdefault(row["item_key"], []).append(row)
    for key, rows in votes.items():
        counts: dict[str, int] = {}
        for r in rows:
            counts[r["label"]] = counts.get(r["label"], 0) + 1
        label, n = max(counts.items(), key=lambda kv: kv[1])
        if n * 2 > len(rows):
            settled[key] = dict(rows[-1], label=label)
    for decision in ("add", "adjudicate"):  # in this order, so an adjudication overrides all
        rows = conn.execute(
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
    conn = open_readonly(db_path)
    try:
        items = [i for i in resolved_items(conn) if i["item_type"] != "name_match"]
    finally:
        conn.close()
    by_sentence: dict[str, set[str]] = {}
    for item in sorted(items, key=lambda i: i["id"]):
        text = (item.get("sentence") or item.get("text") or "").strip()
        if not text or item["label"] not in LABELS:
            continue
        labels = by_sentence.setdefault(text, set())
        if item["label"] != "other":
            labels.add(item["label"])
    return [{"text": t, "labels": sorted(ls) or ["other"]} for t, ls in by_sentence.items()]


# -- export / import ------------------------------------------------------------------------------


def all_rows(conn: sqlite3.Connection) -> list[dict]:
    """Every annotation row in insertion order, without the local row id (for export)."""
    rows = conn.execute(f"SELECT {', '.join(_quoted(c) for c in COLUMNS)} FROM annotations ORDER BY id")
    return [dict(r) for r in rows]


def row_nonce(row: dict) -> str:
    """A stable nonce for an imported row that has none: the hash of its content."""
    body = json.dumps({c: row.get(c) for c in COLUMNS if c != "nonce"}, sort_keys=True, default=str)
    return "imp-" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def insert_rows(conn: sqlite3.Connection, rows: Iterable[dict]) -> tuple[int, int]:
    """Insert exported/imported rows in one transaction; rows already present (same nonce) are
    skipped. Returns (inserted, skipped)."""
    inserted = skipped = 0
    with write_transaction(conn):
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
            if _insert(conn, row) is None:
                skipped += 1
            else:
                inserted += 1
    return inserted, skipped


def annotation_counts(conn: sqlite3.Connection) -> dict[str, Any]:
    rows = conn.execute("SELECT decision, COUNT(*) FROM annotations WHERE undone = 0 GROUP BY decision")
    return {r[0]: r[1] for r in rows}
